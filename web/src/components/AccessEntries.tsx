import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import type { AccessEntry, Group, User } from '../types.ts';

const sameSubject = (a: Pick<AccessEntry, 'subject' | 'id'>, b: Pick<AccessEntry, 'subject' | 'id'>) =>
  a.subject === b.subject && a.id === b.id;

/** Users and groups of the organization, by which access entries are named and picked. */
function useDirectory(onError: (message: string) => void) {
  const [users, setUsers] = useState<User[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  useEffect(() => {
    api<{ items: User[] }>('GET', '/users?status=active')
      .then((r) => setUsers(r.items))
      .catch((e) => onError(errorMessage(e)));
    api<{ items: Group[] }>('GET', '/groups')
      .then((r) => setGroups(r.items))
      .catch((e) => onError(errorMessage(e)));
  }, [onError]);
  const nameOf = (entry: Pick<AccessEntry, 'subject' | 'id'>) => {
    if (entry.subject === 'group') return groups.find((g) => g.id === entry.id)?.name ?? `Group #${entry.id}`;
    const user = users.find((u) => u.id === entry.id);
    return user ? `${user.name || user.email} (${user.email})` : `User #${entry.id}`;
  };
  return { users, groups, nameOf };
}

/**
 * An access list of users and groups, each at one of `levels` (value → label, lowest first):
 * the entries with their level and a remove button, and a picker that adds one. Every change is
 * handed to `onChange` as the whole new list; the caller decides when it is saved.
 */
export function AccessEntries<Level extends string>(props: {
  entries: AccessEntry<Level>[];
  levels: Record<Level, string>;
  /** What an empty list means. */
  emptyNote: string;
  /** The label of the picker's subject select and of its button (`Share with` / `Share`). */
  giveLabel: string;
  addLabel: string;
  busy: boolean;
  onChange: (entries: AccessEntry<Level>[]) => void;
  onError: (message: string) => void;
}) {
  const { entries, levels, busy, onChange } = props;
  const levelValues = Object.keys(levels) as Level[];
  const { users, groups, nameOf } = useDirectory(props.onError);
  const [subject, setSubject] = useState<AccessEntry['subject']>('group');
  const [who, setWho] = useState('');
  const [level, setLevel] = useState<Level>(levelValues[0]);

  const levelOptions = levelValues.map((value) => (
    <option key={value} value={value}>
      {levels[value]}
    </option>
  ));
  const candidates = (subject === 'user' ? users : groups).filter(
    (c) => !entries.some((s) => sameSubject(s, { subject, id: c.id })),
  );
  const add = () => {
    if (!who) return;
    onChange([...entries, { subject, id: Number(who), level }]);
    setWho('');
  };

  return (
    <>
      {entries.length === 0 ? (
        <p className="muted">{props.emptyNote}</p>
      ) : (
        <table className="shares">
          <caption className="sr-only">Current access</caption>
          <tbody>
            {entries.map((entry) => {
              const name = nameOf(entry);
              return (
                <tr key={`${entry.subject}-${entry.id}`}>
                  <td>
                    <span className="tag">{entry.subject}</span> {name}
                  </td>
                  <td>
                    <select
                      aria-label={`Access of ${name}`}
                      value={entry.level}
                      disabled={busy}
                      onChange={(e) =>
                        onChange(
                          entries.map((s) =>
                            sameSubject(s, entry) ? { ...s, level: e.target.value as Level } : s,
                          ),
                        )
                      }
                    >
                      {levelOptions}
                    </select>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="icon"
                      aria-label={`Remove ${name}`}
                      disabled={busy}
                      onClick={() => onChange(entries.filter((s) => !sameSubject(s, entry)))}
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
            aria-label={props.giveLabel}
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
          <select aria-label="Access" value={level} onChange={(e) => setLevel(e.target.value as Level)}>
            {levelOptions}
          </select>
          <button type="button" className="primary" disabled={!who || busy} onClick={add}>
            {props.addLabel}
          </button>
        </div>
      </fieldset>
    </>
  );
}
