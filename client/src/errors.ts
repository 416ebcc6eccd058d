/** A call the client cannot carry out as asked: bad values, unknown columns or tables. */
export class SyncInputError extends Error {
  override readonly name = 'SyncInputError';
  /** The field at fault, e.g. `todoItem.insert.dueDate`. */
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.field = field;
  }
}
