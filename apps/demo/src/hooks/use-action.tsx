import { useState, type ReactNode } from "react";
import type { ConfirmOptions } from "../components/ui.js";
import { describeError } from "../lib/errors.js";
import { useToasts } from "../toasts.js";
import { useConfirm } from "./use-confirm.js";

export interface ActionOptions {
  /** Ask first; the action runs only if the user confirms. */
  confirm?: ConfirmOptions;
  /** Show a failure yourself (next to a field, say) instead of as an error toast. */
  onError?: (error: unknown, message: string) => void;
  /**
   * The action ends the page (signing out everywhere, say): on success its button stays busy
   * until the page goes, instead of coming back for a moment.
   */
  busyUntilGone?: boolean;
}

export interface Actions<Key> {
  /** The key of the action running now: its button shows a spinner. */
  busy: Key | null;
  /** Runs `action` under `key`: confirm if asked, busy while it runs, its failure shown. */
  run: (key: Key, action: () => Promise<void>, options?: ActionOptions) => Promise<void>;
  /** The confirmation dialog: render it once, anywhere in the component. */
  dialog: ReactNode;
}

/**
 * A page's user actions (sign out a device, save roles, change the password): each one asks for
 * confirmation when it needs to, marks its button busy while it runs, and reports a failure as
 * an error toast unless the page shows it itself. `Key` tells apart the buttons of one component
 * (a session id, say); components with one action use `true`.
 */
export function useActions<Key = true>(): Actions<Key> {
  const toasts = useToasts();
  const [dialog, confirm] = useConfirm();
  const [busy, setBusy] = useState<Key | null>(null);

  const run = async (key: Key, action: () => Promise<void>, options: ActionOptions = {}) => {
    if (options.confirm && !(await confirm(options.confirm))) return;
    setBusy(key);
    let succeeded = false;
    try {
      await action();
      succeeded = true;
    } catch (error) {
      const message = describeError(error);
      if (options.onError) options.onError(error, message);
      else toasts.error(message);
    } finally {
      if (!(succeeded && options.busyUntilGone)) setBusy(null);
    }
  };

  return { busy, run, dialog };
}
