import { useSyncClient } from '@syncline/client/react';
import { useEffect, useState } from 'react';
import type { tables } from './sync';

/** The client, typed with the demo's tables. */
export const useAppClient = () => useSyncClient<typeof tables>();

/** `table:id` of every row with a change waiting to be pushed, to mark it in the list. */
export function usePendingRows(): Set<string> {
  const client = useAppClient();
  const [rows, setRows] = useState(() => new Set<string>());
  useEffect(() => {
    let current = true;
    const read = () =>
      client.pendingChanges().then((entries) => {
        if (current) setRows(new Set(entries.map((entry) => `${entry.table}:${entry.id}`)));
      });
    void read();
    const stop = client.on('pending', () => void read());
    return () => {
      current = false;
      stop();
    };
  }, [client]);
  return rows;
}
