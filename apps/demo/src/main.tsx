import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAuthClient } from "@baton/client";
import { AuthProvider } from "@baton/client/react";
import { App } from "./app.js";
import { ChatProvider } from "./chat/chat-context.js";
import { ChatConnection } from "./chat/chat-connection.js";
import { ChatStore } from "./chat/chat-store.js";
import { ToastProvider } from "./toasts.js";
import "./styles/tokens.css";
import "./styles/base.css";
import "./styles/components.css";
import "./styles/layout.css";

// One client for the page, created at module scope: the access token lives in its memory only,
// the session is restored through the HttpOnly refresh cookie, refreshes happen before expiry.
const auth = createAuthClient({ baseUrl: "/api/auth" });
const connection = new ChatConnection(auth);
const store = new ChatStore(auth, connection);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <AuthProvider client={auth}>
      <ToastProvider>
        <ChatProvider connection={connection} store={store}>
          <App />
        </ChatProvider>
      </ToastProvider>
    </AuthProvider>
  </StrictMode>,
);

// Vite hot reload: the replaced module's timers, channels and socket go away with it.
import.meta.hot?.dispose(() => {
  connection.dispose();
  auth.dispose();
});
