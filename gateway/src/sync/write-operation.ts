import type { OperationKind } from '@syncline/schema';
import type { ServedTable } from './tables';

/** One operation, validated in shape by GraphQL, ready to apply. */
export interface WriteOperation {
  served: ServedTable;
  opId: string | null;
  kind: OperationKind;
  id: string;
  /** The version the client last saw; required for UPDATE and DELETE. */
  version: number | undefined;
  data: Record<string, unknown>;
  /** How the data is named in the request, for messages: `data`, `input` or `patch`. */
  dataField: string;
}
