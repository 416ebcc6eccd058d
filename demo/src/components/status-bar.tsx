import type { SyncResult } from '@syncline/client';
import { useLive, usePendingOperations, useSyncStatus } from '@syncline/client/react';
import { useEffect, useState } from 'react';
import { useAppClient } from '../use-app-client';

const BADGE = { online: 'Online', offline: 'Offline', syncing: 'Syncing…' } as const;

/** What a sync left to say, in the technician's words. */
function describe(result: SyncResult): string {
  const time = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  switch (result.status) {
    case 'complete': {
      const left = result.push.errors.length;
      return left > 0 ? `Synced at ${time}; ${left} change(s) need you` : `Synced at ${time}`;
    }
    case 'network-error':
      return 'No connection: your changes are kept on this device';
    case 'auth-error':
      return 'Sign in again to sync';
    default: {
      const pull = Object.values(result.pulls).find((pulled) => pulled.status !== 'complete');
      return `Sync failed: ${result.push.message ?? pull?.message ?? result.status}`;
    }
  }
}

export function StatusBar(props: { user: string; onSignIn(): void; onSignOut(): void }) {
  const client = useAppClient();
  const status = useSyncStatus();
  const live = useLive();
  const pending = usePendingOperations();
  const [message, setMessage] = useState<string>();
  useEffect(() => client.on('sync', (result) => setMessage(describe(result))), [client]);

  return (
    <header className="status-bar">
      <div className="brand">
        <svg className="logo" viewBox="0 0 24 24" aria-hidden="true">
          <path
            d="M4 7h16M4 12h10M4 17h6"
            stroke="currentColor"
            strokeWidth="2.4"
            strokeLinecap="round"
          />
          <circle cx="18" cy="16" r="3.2" fill="none" stroke="#7dd3fc" strokeWidth="2.2" />
        </svg>
        Field Service
      </div>
      <div className="sync-state">
        <span className={`badge badge-${status}`} data-testid="sync-status">
          {BADGE[status]}
        </span>
        <span
          className={`live ${live ? 'live-on' : 'live-off'}`}
          data-testid="live"
          data-live={live}
          title={
            live
              ? "Live: others' changes arrive as they happen"
              : "Not live: others' changes arrive when this device syncs"
          }
        >
          {live ? 'Live' : 'Not live'}
        </span>
        <span className="pending" data-testid="pending-count" data-count={pending}>
          {pending === 0
            ? 'All changes synced'
            : `${pending} change${pending === 1 ? '' : 's'} waiting`}
        </span>
        <button
          type="button"
          className="button primary"
          onClick={() => void client.sync()}
          disabled={status === 'syncing'}
        >
          Sync
        </button>
      </div>
      <div className="account">
        {message && (
          <span className="sync-message" data-testid="sync-message">
            {message}
          </span>
        )}
        <span className="user" title="Signed in as">
          {props.user}
        </span>
        {props.user === 'anonymous' ? (
          <button type="button" className="button link" onClick={props.onSignIn}>
            Sign in
          </button>
        ) : (
          <button type="button" className="button link" onClick={props.onSignOut}>
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
