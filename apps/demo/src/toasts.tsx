import {
  createContext,
  useCallback,
  useContext,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { Icon } from "./components/icons.js";

type Tone = "error" | "success" | "info";

interface Toast {
  id: number;
  tone: Tone;
  message: string;
}

export interface Toasts {
  error(message: string): void;
  success(message: string): void;
  info(message: string): void;
}

const ToastContext = createContext<Toasts | null>(null);

const DURATION: Record<Tone, number> = { error: 8_000, success: 4_000, info: 5_000 };
const MAX_VISIBLE = 4;

/**
 * Transient notices in a corner. Errors are announced assertively (`role="alert"`), the rest
 * politely; each can be dismissed, and identical messages are not stacked.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const show = useCallback(
    (tone: Tone, message: string) => {
      const id = next.current++;
      setToasts((current) => {
        const others = current.filter((toast) => toast.message !== message);
        return [...others, { id, tone, message }].slice(-MAX_VISIBLE);
      });
      window.setTimeout(() => dismiss(id), DURATION[tone]);
    },
    [dismiss],
  );

  const api = useMemo<Toasts>(
    () => ({
      error: (message) => show("error", message),
      success: (message) => show("success", message),
      info: (message) => show("info", message),
    }),
    [show],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <section className="toasts" aria-label="Notifications">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className={`toast toast-${toast.tone}`}
            role={toast.tone === "error" ? "alert" : "status"}
          >
            <Icon
              name={toast.tone === "error" ? "alert" : toast.tone === "success" ? "check" : "info"}
            />
            <p>{toast.message}</p>
            <button
              type="button"
              className="icon-button"
              aria-label="Dismiss notification"
              onClick={() => dismiss(toast.id)}
            >
              <Icon name="close" />
            </button>
          </div>
        ))}
      </section>
    </ToastContext.Provider>
  );
}

export function useToasts(): Toasts {
  const toasts = useContext(ToastContext);
  if (!toasts) throw new TypeError("useToasts() needs <ToastProvider>");
  return toasts;
}
