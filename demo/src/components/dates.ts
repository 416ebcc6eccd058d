/** Due dates are days: a date input's `2026-11-21` is stored as noon UTC, so no zone moves it. */
export function fromDateInput(value: string): string | null {
  return value ? `${value}T12:00:00.000Z` : null;
}

export function toDateInput(value: string | null): string {
  return value ? value.slice(0, 10) : '';
}

/** `Today`, `Tomorrow`, `Overdue · 3 Nov` or `Fri 27 Nov`. */
export function describeDue(
  value: string | null,
  now = new Date(),
): { label: string; overdue: boolean } {
  if (!value) return { label: 'No due date', overdue: false };
  const day = value.slice(0, 10);
  const today = now.toISOString().slice(0, 10);
  const tomorrow = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
  const shown = new Date(value).toLocaleDateString([], {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  if (day === today) return { label: 'Today', overdue: false };
  if (day === tomorrow) return { label: 'Tomorrow', overdue: false };
  return day < today
    ? { label: `Overdue · ${shown}`, overdue: true }
    : { label: shown, overdue: false };
}
