import { useEffect, useState } from 'react';
import { ErrorNote } from '../App.tsx';
import { api } from '../api.ts';
import { NameForm } from '../components/NameForm.tsx';
import type { Me } from '../types.ts';

/** Admin → Settings: the organization's name, which the top bar shows to everyone. */
export function OrganizationSettings(props: { me: Me; onMeChange: (me: Me) => void }) {
  const [current, setCurrent] = useState(props.me.organizationName ?? '');
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<{ name: string }>('GET', '/organization').then((org) => setCurrent(org.name), setError);
  }, []);
  const save = async (name: string) => {
    const org = await api<{ name: string }>('PATCH', '/organization', { name });
    props.onMeChange({ ...props.me, organizationName: org.name });
    return org.name;
  };
  return (
    <>
      <ErrorNote error={error} />
      <NameForm
        title="Organization"
        label="Organization name"
        initial={current}
        save={save}
        className="narrowform"
      />
    </>
  );
}
