import { useState, type ReactNode } from "react";
import { ConfirmDialog, type ConfirmOptions } from "../components/ui.js";

/** `const [dialog, confirm] = useConfirm(); if (await confirm({...})) …` */
export function useConfirm(): [ReactNode, (options: ConfirmOptions) => Promise<boolean>] {
  const [state, setState] = useState<{
    options: ConfirmOptions;
    resolve: (ok: boolean) => void;
  } | null>(null);
  const element = (
    <ConfirmDialog
      open={state !== null}
      options={state?.options ?? null}
      onClose={(confirmed) => {
        state?.resolve(confirmed);
        setState(null);
      }}
    />
  );
  const ask = (options: ConfirmOptions) =>
    new Promise<boolean>((resolve) => setState({ options, resolve }));
  return [element, ask];
}
