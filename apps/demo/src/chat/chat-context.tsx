import {
  createContext,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
  type ReactNode,
} from "react";
import type { ChatConnection, ConnectionSnapshot } from "./chat-connection.js";
import type { ChatState, ChatStore } from "./chat-store.js";

interface Chat {
  connection: ChatConnection;
  store: ChatStore;
}

const ChatContext = createContext<Chat | null>(null);

/** Holds the chat connection and store started while mounted (reference-counted starts). */
export function ChatProvider({ connection, store, children }: Chat & { children: ReactNode }) {
  useEffect(() => connection.start(), [connection]);
  useEffect(() => store.start(), [store]);
  const value = useMemo(() => ({ connection, store }), [connection, store]);
  return <ChatContext.Provider value={value}>{children}</ChatContext.Provider>;
}

export function useChat(): Chat {
  const chat = useContext(ChatContext);
  if (!chat) throw new TypeError("useChat() needs <ChatProvider>");
  return chat;
}

export function useChatState(): ChatState {
  const { store } = useChat();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

export function useConnection(): ConnectionSnapshot {
  const { connection } = useChat();
  return useSyncExternalStore(connection.subscribe, connection.getSnapshot);
}
