import { SyncProvider } from '@syncline/client/react';
import { useEffect, useState } from 'react';
import { ConflictDialog } from './components/conflict-dialog';
import { SignIn } from './components/sign-in';
import { StatusBar } from './components/status-bar';
import { TodoList } from './components/todo-list';
import { VehiclePanel } from './components/vehicle-panel';
import { type AppClient, openClient, type Session, saveToken, storedSession } from './sync';

/** Opens the signed-in user's local database and shows the app; asks for a token when the gateway wants one. */
export function App() {
  const [session, setSession] = useState<Session>(storedSession);
  const [client, setClient] = useState<AppClient>();
  const [failure, setFailure] = useState<string>();
  const [signingIn, setSigningIn] = useState(false);

  useEffect(() => {
    let current = true;
    let opened: AppClient | undefined;
    openClient(session).then(
      (ready) => {
        if (!current) return ready.close();
        opened = ready;
        setClient(ready);
      },
      (error: unknown) => setFailure(`This browser cannot keep data offline: ${String(error)}`),
    );
    return () => {
      current = false;
      opened?.close();
      setClient(undefined);
    };
  }, [session]);

  useEffect(() => client?.on('unauthenticated', () => setSigningIn(true)), [client]);

  const signIn = (token: string | null) => {
    setSigningIn(false);
    setSession(saveToken(token));
  };

  if (failure) return <p className="fatal">{failure}</p>;
  if (!client) return <p className="loading">Opening your jobs…</p>;
  return (
    <SyncProvider client={client}>
      <StatusBar
        user={session.user}
        onSignIn={() => setSigningIn(true)}
        onSignOut={() => signIn(null)}
      />
      <main className="layout">
        <TodoList />
        <VehiclePanel />
      </main>
      <ConflictDialog />
      {signingIn && (
        <SignIn user={session.user} onSubmit={signIn} onCancel={() => setSigningIn(false)} />
      )}
    </SyncProvider>
  );
}
