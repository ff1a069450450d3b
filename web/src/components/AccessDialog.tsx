import { useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api, errorMessage } from '../api.ts';
import type { AccessEntry, Group, User } from '../types.ts';
import { Modal } from './Modal.tsx';

const sameSubject = (a: AccessEntry, b: Pick<AccessEntry, 'subject' | 'id'>) =>
  a.subject === b.subject && a.id === b.id;

/**
 * An access list of users and groups (a dashboard's shares, a folder's access). Every change is
 * saved at once, the whole list (`save`); a refused change leaves the list as it was, with the reason.
 */
export function AccessDialog(props: {
  title: string;
  entries: AccessEntry[];
  /** What an empty list means. */
  emptyNote: string;
  save: (entries: AccessEntry[]) => Promise<unknown>;
  onClose: () => void;
}) {
  const { entries } = props;
  const [users, setUsers] = useState<User[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [subject, setSubject] = useState<AccessEntry['subject']>('group');
  const [who, setWho] = useState('');
  const [level, setLevel] = useState<AccessEntry['level']>('view');

  useEffect(() => {
    api<{ items: User[] }>('GET', '/users?status=active')
      .then((r) => setUsers(r.items))
      .catch((e) => setError(errorMessage(e)));
    api<{ items: Group[] }>('GET', '/groups')
      .then((r) => setGroups(r.items))
      .catch((e) => setError(errorMessage(e)));
  }, []);

  const nameOf = (entry: Pick<AccessEntry, 'subject' | 'id'>) => {
    if (entry.subject === 'group') return groups.find((g) => g.id === entry.id)?.name ?? `Group #${entry.id}`;
    const user = users.find((u) => u.id === entry.id);
    return user ? `${user.name || user.email} (${user.email})` : `User #${entry.id}`;
  };

  const save = async (shares: AccessEntry[]) => {
    setBusy(true);
    setError(null);
    try {
      await props.save(shares);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const candidates = (subject === 'user' ? users : groups).filter(
    (c) => !entries.some((s) => sameSubject(s, { subject, id: c.id })),
  );
  const add = async () => {
    if (!who) return;
    await save([...entries, { subject, id: Number(who), level }]);
    setWho('');
  };

  return (
    <Modal title={props.title} onClose={props.onClose}>
      {entries.length === 0 ? (
        <p className="muted">{props.emptyNote}</p>
      ) : (
        <table className="shares">
          <caption className="sr-only">Current access</caption>
          <tbody>
            {entries.map((share) => {
              const name = nameOf(share);
              return (
                <tr key={`${share.subject}-${share.id}`}>
                  <td>
                    <span className="tag">{share.subject}</span> {name}
                  </td>
                  <td>
                    <select
                      aria-label={`Access of ${name}`}
                      value={share.level}
                      disabled={busy}
                      onChange={(e) =>
                        save(
                          entries.map((s) =>
                            sameSubject(s, share)
                              ? { ...s, level: e.target.value as AccessEntry['level'] }
                              : s,
                          ),
                        )
                      }
                    >
                      <option value="view">can view</option>
                      <option value="edit">can edit</option>
                    </select>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="icon"
                      aria-label={`Remove ${name}`}
                      disabled={busy}
                      onClick={() => save(entries.filter((s) => !sameSubject(s, share)))}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <fieldset>
        <legend>Give access</legend>
        <div className="row">
          <select
            aria-label="Share with"
            value={subject}
            onChange={(e) => {
              setSubject(e.target.value as AccessEntry['subject']);
              setWho('');
            }}
          >
            <option value="group">Group</option>
            <option value="user">User</option>
          </select>
          <select
            aria-label={subject === 'user' ? 'User' : 'Group'}
            value={who}
            onChange={(e) => setWho(e.target.value)}
          >
            <option value="">Choose a {subject}</option>
            {candidates.map((c) => (
              <option key={c.id} value={c.id}>
                {nameOf({ subject, id: c.id })}
              </option>
            ))}
          </select>
          <select
            aria-label="Access"
            value={level}
            onChange={(e) => setLevel(e.target.value as AccessEntry['level'])}
          >
            <option value="view">can view</option>
            <option value="edit">can edit</option>
          </select>
          <button type="button" className="primary" disabled={!who || busy} onClick={add}>
            Share
          </button>
        </div>
      </fieldset>
      <ErrorNote error={error} />
      <p className="muted small">
        Only those listed (and the owner, and admins) get in. Edit access gives a viewer only view: the role
        is a ceiling.
      </p>
    </Modal>
  );
}
