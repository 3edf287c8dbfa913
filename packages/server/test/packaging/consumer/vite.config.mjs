// No React plugin: Vite's own transform compiles the TSX with the automatic JSX runtime.
export default { root: "web", oxc: { jsx: { runtime: "automatic" } }, logLevel: "warn" };
