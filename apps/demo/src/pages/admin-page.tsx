import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import type { PublicUser } from "@baton/client";
import { useAuth } from "@baton/client/react";
import { Icon } from "../components/icons.js";
import { Avatar, Button, EmptyState, Modal, Spinner } from "../components/ui.js";
import { useActions } from "../hooks/use-action.js";
import { ApiError, apiJson } from "../lib/api.js";
import { describeError } from "../lib/errors.js";
import { formatDateTime } from "../lib/format.js";
import { useToasts } from "../toasts.js";

const PAGE_SIZE = 20;
const ROLE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const USERS_API = "/api/auth/admin/users";

interface UsersPage {
  users: PublicUser[];
  total: number;
  limit: number;
  offset: number;
}

export function AdminPage() {
  const { hasRole } = useAuth();
  return hasRole("admin") ? <UsersAdmin /> : <Forbidden />;
}

/**
 * What a non-admin sees at /admin. The menu hides the page, but hiding is not security: this view
 * lets anyone ask the server, which answers 403 on its own.
 */
function Forbidden() {
  const { client } = useAuth();
  const [answer, setAnswer] = useState<string | null>(null);
  const { busy, run } = useActions();
  const ask = () =>
    run(
      true,
      async () => {
        await apiJson<UsersPage>(client, `${USERS_API}?limit=1`);
        setAnswer("200 OK (you seem to have the admin role after all: reload the page)");
      },
      {
        onError: (error, message) =>
          setAnswer(
            error instanceof ApiError ? `${error.status} ${error.code}: ${error.message}` : message,
          ),
      },
    );
  return (
    <div className="page page-narrow">
      <section className="card" aria-labelledby="forbidden-title">
        <div className="card-body">
          <EmptyState icon="lock" title="Admins only">
            <h1 id="forbidden-title" className="visually-hidden">
              Admin
            </h1>
            <p>
              This page needs the <code>admin</code> role, which your account does not have. The
              menu hides it, but the server is what enforces it: it checks the role in your access
              token on every request.
            </p>
            <Button variant="secondary" busy={busy !== null} onClick={() => void ask()}>
              Ask the server anyway
            </Button>
            {answer && (
              <p className="server-answer" role="status" data-testid="admin-api-answer">
                Server answered <code>{answer}</code>
              </p>
            )}
          </EmptyState>
        </div>
      </section>
    </div>
  );
}

function UsersAdmin() {
  const { client, user: me, refresh } = useAuth();
  const toasts = useToasts();
  const [page, setPage] = useState<UsersPage | null>(null);
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<PublicUser | null>(null);

  const load = useCallback(async () => {
    try {
      setPage(await apiJson<UsersPage>(client, `${USERS_API}?limit=${PAGE_SIZE}&offset=${offset}`));
    } catch (error) {
      toasts.error(describeError(error));
    }
  }, [client, offset, toasts]);

  useEffect(() => {
    void load();
  }, [load]);

  const saveRoles = async (user: PublicUser, roles: string[]) => {
    const { user: updated } = await apiJson<{ user: PublicUser }>(
      client,
      `${USERS_API}/${encodeURIComponent(user.id)}/roles`,
      {
        method: "PUT",
        body: { roles },
      },
    );
    setPage(
      (current) =>
        current && {
          ...current,
          users: current.users.map((row) => (row.id === updated.id ? updated : row)),
        },
    );
    toasts.success(
      `${updated.name ?? updated.email}: roles are now ${updated.roles.join(", ") || "none"}. Their open sessions pick this up at once.`,
    );
    // Our own roles changed: our token carries the old ones (the server already refuses it).
    if (updated.id === me?.id) await refresh();
  };

  const total = page?.total ?? 0;
  return (
    <div className="page">
      <header className="page-header">
        <h1>Admin</h1>
        <p className="lead">
          Accounts and their roles. A role change takes effect immediately: the user's current
          access tokens stop working and their apps refresh into the new roles.
        </p>
      </header>
      <section className="card" aria-labelledby="users-title">
        <header className="card-header">
          <div>
            <h2 id="users-title">Users</h2>
            <p className="muted">
              {page ? `${total} ${total === 1 ? "account" : "accounts"}` : "Loading…"}
            </p>
          </div>
          <Button variant="secondary" size="sm" onClick={() => void load()}>
            <Icon name="refresh" /> Refresh
          </Button>
        </header>
        {page === null ? (
          <div className="card-body center">
            <Spinner label="Loading users" />
          </div>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Roles</th>
                  <th scope="col" className="hide-narrow">
                    Created
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.users.map((user) => (
                  <tr key={user.id} data-user-email={user.email}>
                    <td>
                      <div className="user-cell">
                        <Avatar id={user.id} name={user.name ?? user.email} size="sm" />
                        <div>
                          <p className="strong">
                            {user.name ?? "—"}
                            {user.id === me?.id && <span className="badge badge-muted">you</span>}
                          </p>
                          <p className="muted small">{user.email}</p>
                        </div>
                      </div>
                    </td>
                    <td>
                      <ul className="chips" aria-label={`Roles of ${user.name ?? user.email}`}>
                        {user.roles.map((role) => (
                          <li
                            key={role}
                            className={`chip${role === "admin" ? " chip-accent" : ""}`}
                          >
                            {role}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td className="hide-narrow muted small">{formatDateTime(user.createdAt)}</td>
                    <td className="actions">
                      <Button
                        variant="secondary"
                        size="sm"
                        onClick={() => setEditing(user)}
                        aria-label={`Edit roles of ${user.name ?? user.email}`}
                      >
                        Edit roles
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {total > PAGE_SIZE && (
          <footer className="card-footer pager">
            <Button
              variant="secondary"
              size="sm"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            >
              Previous
            </Button>
            <span className="muted small">
              {offset + 1}–{Math.min(offset + PAGE_SIZE, total)} of {total}
            </span>
            <Button
              variant="secondary"
              size="sm"
              disabled={offset + PAGE_SIZE >= total}
              onClick={() => setOffset(offset + PAGE_SIZE)}
            >
              Next
            </Button>
          </footer>
        )}
      </section>
      <RolesDialog
        user={editing}
        isMe={editing?.id === me?.id}
        knownRoles={[
          ...new Set(["admin", "user", ...(page?.users.flatMap((user) => user.roles) ?? [])]),
        ]}
        onClose={() => setEditing(null)}
        onSave={saveRoles}
      />
    </div>
  );
}

function RolesDialog({
  user,
  isMe,
  knownRoles,
  onClose,
  onSave,
}: {
  user: PublicUser | null;
  isMe: boolean;
  knownRoles: string[];
  onClose: () => void;
  onSave: (user: PublicUser, roles: string[]) => Promise<void>;
}) {
  const titleId = useId();
  const inputId = useId();
  const [roles, setRoles] = useState<string[]>([]);
  const [extra, setExtra] = useState<string[]>([]);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | undefined>();
  const { busy, run } = useActions();

  useEffect(() => {
    if (!user) return;
    setRoles(user.roles);
    setExtra([]);
    setDraft("");
    setError(undefined);
  }, [user]);

  const options = [...new Set([...knownRoles, ...(user?.roles ?? []), ...extra])];
  const toggle = (role: string) =>
    setRoles((current) =>
      current.includes(role) ? current.filter((r) => r !== role) : [...current, role],
    );

  const addRole = () => {
    const role = draft.trim();
    if (!role) return;
    if (!ROLE_PATTERN.test(role)) {
      setError("Letters, digits and _ . : - only, at most 64 characters.");
      return;
    }
    setError(undefined);
    setExtra((current) => [...current, role]);
    setRoles((current) => (current.includes(role) ? current : [...current, role]));
    setDraft("");
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!user) return;
    await run(
      true,
      async () => {
        await onSave(user, roles);
        onClose();
      },
      { onError: (_failure, message) => setError(message) },
    );
  };

  return (
    <Modal open={user !== null} titleId={titleId} onCancel={onClose}>
      {user && (
        <form onSubmit={(event) => void submit(event)}>
          <h2 id={titleId}>Roles of {user.name ?? user.email}</h2>
          <div className="dialog-body">
            <fieldset className="checks">
              <legend className="visually-hidden">Roles</legend>
              {options.map((role) => (
                <label key={role} className="check">
                  <input
                    type="checkbox"
                    checked={roles.includes(role)}
                    onChange={() => toggle(role)}
                  />
                  <span>{role}</span>
                </label>
              ))}
            </fieldset>
            <div className="field">
              <label htmlFor={inputId}>Add another role</label>
              <div className="input-group">
                <input
                  id={inputId}
                  className="input"
                  value={draft}
                  placeholder="e.g. moderator"
                  onChange={(event) => setDraft(event.target.value)}
                  onKeyDown={(event) => {
                    if (event.key === "Enter") {
                      event.preventDefault();
                      addRole();
                    }
                  }}
                />
                <button type="button" className="btn btn-secondary" onClick={addRole}>
                  <Icon name="plus" /> Add
                </button>
              </div>
            </div>
            {isMe && !roles.includes("admin") && (
              <div className="notice notice-warn" role="alert">
                <Icon name="alert" />
                <p>Without the admin role you lose access to this page as soon as you save.</p>
              </div>
            )}
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
          </div>
          <div className="dialog-actions">
            <button type="button" className="btn btn-secondary" onClick={onClose}>
              Cancel
            </button>
            <Button type="submit" busy={busy !== null}>
              Save roles
            </Button>
          </div>
        </form>
      )}
    </Modal>
  );
}
