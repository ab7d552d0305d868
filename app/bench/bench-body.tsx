// The body of the three benchmark pages: fixed text of about dashboard size, the same bytes on each, so
// the pages differ only in what runs before they render.
const ROWS = Array.from({ length: 24 }, (_, i) => `Row ${String(i + 1).padStart(2, "0")}: a line of fixed text.`);

export function BenchBody() {
  return (
    <main className="dashboard">
      <h1>Benchmark page</h1>
      <ul>
        {ROWS.map((row) => (
          <li key={row}>{row}</li>
        ))}
      </ul>
    </main>
  );
}
