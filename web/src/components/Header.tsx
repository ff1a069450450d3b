import { useEffect, useRef, useState } from 'react';
import { atLeast } from '../roles.ts';
import { Link, navigate } from '../router.tsx';
import type { Me } from '../types.ts';
import { ProjectSwitcher } from './ProjectSwitcher.tsx';

/** The signed-in top bar: the sections the user's role may open, and the user menu. */
export function Header(props: { me: Me; path: string; onSignOut: () => void }) {
  const { me, path } = props;
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !menu.current?.contains(event.target as Node)
      )
        setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  const section =
    path === '/account'
      ? 'account'
      : path.startsWith('/data')
        ? 'data'
        : path.startsWith('/admin')
          ? 'admin'
          : path.startsWith('/explore')
            ? 'explore'
            : path === '/sql'
              ? 'sql'
              : path === '/subscriptions'
                ? 'subscriptions'
                : 'home';
  const go = (to: string) => {
    setOpen(false);
    navigate(to);
  };
  return (
    <header className="topbar">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand">
        <span className="logo" aria-hidden="true" />
        Rosetta
      </Link>
      <ProjectSwitcher />
      <nav aria-label="Main" className="mainnav">
        <Link to="/" aria-current={section === 'home' ? 'page' : undefined}>
          Dashboards
        </Link>
        {/* Viewers see dashboards; exploring and previewing data are ad-hoc queries. */}
        {atLeast(me, 'interactive_viewer') && (
          <>
            <Link to="/explore" aria-current={section === 'explore' ? 'page' : undefined}>
              Explore
            </Link>
            <Link to="/data" aria-current={section === 'data' ? 'page' : undefined}>
              Data
            </Link>
          </>
        )}
        {/* Editors subscribe to dashboards and set alerts: their own list of both. */}
        {atLeast(me, 'editor') && (
          <Link to="/subscriptions" aria-current={section === 'subscriptions' ? 'page' : undefined}>
            Subscriptions
          </Link>
        )}
        {atLeast(me, 'developer') && (
          <Link to="/sql" aria-current={section === 'sql' ? 'page' : undefined}>
            SQL
          </Link>
        )}
        {atLeast(me, 'admin') && (
          <Link to="/admin" aria-current={section === 'admin' ? 'page' : undefined}>
            Admin
          </Link>
        )}
      </nav>
      <div className="usermenu" ref={menu}>
        <button
          type="button"
          className="userbutton"
          aria-haspopup="menu"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          <span className="avatar" aria-hidden="true">
            {(me.name || me.email).slice(0, 1).toUpperCase()}
          </span>
          <span className="who">
            <span className="username">{me.name || me.email}</span>
            <span className="org">{me.organizationName}</span>
          </span>
        </button>
        {open && (
          <div className="menu" role="menu">
            <div className="menuhead">
              <strong>{me.email}</strong>
              <span className="muted">Role: {me.role}</span>
            </div>
            <button type="button" role="menuitem" onClick={() => go('/account')}>
              My account
            </button>
            {atLeast(me, 'admin') && (
              <button type="button" role="menuitem" onClick={() => go('/admin?tab=keys')}>
                API keys
              </button>
            )}
            <button type="button" role="menuitem" onClick={props.onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </div>
    </header>
  );
}
