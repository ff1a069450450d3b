import { useCallback, useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { useConfirm } from '../components/ConfirmDialog.tsx';
import { RemoveButton } from '../components/RemoveButton.tsx';
import type { Group, User } from '../types.ts';
import { changeThenReload } from './admin-actions.ts';

/** Admin → Groups: groups and their members. */
export function Groups() {
  const [groups, setGroups] = useState<Group[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [members, setMembers] = useState<Record<number, User[]>>({});
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [confirmDialog, confirm] = useConfirm();
  const load = useCallback(async () => {
    try {
      const [g, u] = await Promise.all([
        api<{ items: Group[] }>('GET', '/groups'),
        api<{ items: User[] }>('GET', '/users'),
      ]);
      setGroups(g.items);
      setUsers(u.items);
      const entries = await Promise.all(
        g.items.map(
          async (group) =>
            [group.id, (await api<{ items: User[] }>('GET', `/groups/${group.id}/members`)).items] as const,
        ),
      );
      setMembers(Object.fromEntries(entries));
    } catch (caught) {
      setError(caught);
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  const act = changeThenReload(setError, load);
  const deleteGroup = async (group: Group) => {
    const sure = await confirm({
      title: 'Delete group',
      message: `Delete the group ${group.name}? Its members keep their accounts.`,
      confirmLabel: 'Delete group',
    });
    if (sure) act(api('DELETE', `/groups/${group.id}`));
  };
  return (
    <section>
      <ErrorNote error={error} />
      <form
        className="card inlineform"
        aria-label="Create group"
        onSubmit={(e) => {
          e.preventDefault();
          act(api('POST', '/groups', { name })).then((created) => created && setName(''));
        }}
      >
        <label>
          Group name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create group
        </button>
      </form>
      <ul className="cards">
        {groups.map((g) => (
          <li key={g.id} className="card">
            <h2>{g.name}</h2>
            <ul className="members">
              {(members[g.id] ?? []).map((m) => (
                <li key={m.id}>
                  {m.email}{' '}
                  <RemoveButton
                    label={`Remove ${m.email} from ${g.name}`}
                    onClick={() => act(api('DELETE', `/groups/${g.id}/members/${m.id}`))}
                  />
                </li>
              ))}
            </ul>
            <select
              aria-label={`Add a member to ${g.name}`}
              value=""
              onChange={(e) =>
                e.target.value &&
                act(api('POST', `/groups/${g.id}/members`, { userId: Number(e.target.value) }))
              }
            >
              <option value="">Add member…</option>
              {users
                .filter((u) => !(members[g.id] ?? []).some((m) => m.id === u.id))
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.email}
                  </option>
                ))}
            </select>{' '}
            <button type="button" className="link" onClick={() => deleteGroup(g)}>
              Delete group
            </button>
          </li>
        ))}
      </ul>
      {confirmDialog}
    </section>
  );
}
