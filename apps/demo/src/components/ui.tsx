import {
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
} from "react";
import { colourSlot, initials } from "../lib/format.js";
import { Icon } from "./icons.js";

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
}

/** A labelled input with an optional hint and error, wired up with `aria-describedby`. */
export function Field({ label, hint, error, className, ...input }: FieldProps) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input"
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** A field's hint and error lines, referenced by the input's aria-describedby. */
function FieldNotes({ id, hint, error }: { id: string; hint?: ReactNode; error?: ReactNode }) {
  return (
    <>
      {hint && (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** A password input with a show/hide toggle (a real button, reachable by keyboard). */
export function PasswordField(props: Omit<FieldProps, "type">) {
  const id = useId();
  const [visible, setVisible] = useState(false);
  const described = [props.hint ? `${id}-hint` : "", props.error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  const { label, hint, error, className, ...input } = props;
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      <div className="input-group">
        <input
          id={id}
          className="input"
          type={visible ? "text" : "password"}
          aria-invalid={error ? true : undefined}
          aria-describedby={described || undefined}
          {...input}
        />
        <button
          type="button"
          className="input-addon"
          aria-label={visible ? `Hide ${label.toLowerCase()}` : `Show ${label.toLowerCase()}`}
          aria-pressed={visible}
          onClick={() => setVisible((shown) => !shown)}
        >
          <Icon name={visible ? "eyeOff" : "eye"} />
        </button>
      </div>
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

export function Avatar({
  id,
  name,
  size = "md",
  online,
}: {
  id: string;
  name: string;
  size?: "sm" | "md" | "lg";
  online?: boolean | undefined;
}) {
  return (
    <span className={`avatar avatar-${size} avatar-c${colourSlot(id)}`} aria-hidden="true">
      {initials(name)}
      {online !== undefined && <span className={`presence-dot${online ? " is-online" : ""}`} />}
    </span>
  );
}

export function Spinner({ label = "Loading" }: { label?: string }) {
  return <span className="spinner" role="progressbar" aria-label={label} />;
}

/** A button that shows a spinner and is disabled while `busy`. */
export function Button({
  busy,
  children,
  variant = "primary",
  size,
  className,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & {
  busy?: boolean;
  variant?: "primary" | "secondary" | "danger" | "ghost";
  size?: "sm";
}) {
  return (
    <button
      type="button"
      className={`btn btn-${variant}${size ? ` btn-${size}` : ""}${className ? ` ${className}` : ""}`}
      disabled={busy || rest.disabled}
      aria-busy={busy || undefined}
      {...rest}
    >
      {busy && <span className="spinner spinner-inline" aria-hidden="true" />}
      {children}
    </button>
  );
}

export interface ConfirmOptions {
  title: string;
  body: ReactNode;
  confirm: string;
  tone?: "danger" | "primary";
}

/**
 * A modal confirmation on the native `<dialog>`: focus is trapped and restored, Esc cancels,
 * the confirm button is focused first only for non-destructive actions.
 */
export function ConfirmDialog({
  open,
  options,
  onClose,
}: {
  open: boolean;
  options: ConfirmOptions | null;
  onClose: (confirmed: boolean) => void;
}) {
  const titleId = useId();
  return (
    <Modal open={open} titleId={titleId} onCancel={() => onClose(false)}>
      {options && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            onClose(true);
          }}
        >
          <h2 id={titleId}>{options.title}</h2>
          <div className="dialog-body">{options.body}</div>
          <div className="dialog-actions">
            <button
              type="button"
              className="btn btn-secondary"
              onClick={() => onClose(false)}
              autoFocus={options.tone === "danger"}
            >
              Cancel
            </button>
            <button
              type="submit"
              className={`btn btn-${options.tone ?? "primary"}`}
              autoFocus={options.tone !== "danger"}
            >
              {options.confirm}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}

/**
 * A modal on the native `<dialog>` (focus trapped and restored by the browser), shown while
 * `open`; Esc calls `onCancel` instead of closing it behind React's back.
 */
export function Modal({
  open,
  titleId,
  onCancel,
  children,
}: {
  open: boolean;
  titleId: string;
  onCancel: () => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      {children}
    </dialog>
  );
}

export function EmptyState({
  icon,
  title,
  children,
}: {
  icon: Parameters<typeof Icon>[0]["name"];
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="empty-state">
      <span className="empty-icon">
        <Icon name={icon} />
      </span>
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}
