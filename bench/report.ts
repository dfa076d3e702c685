/** Benchmarks print one JSON object per line: {"metric","value","unit"}, and a summary object last. */
export interface Metric {
  metric: string;
  value: number;
  unit: string;
}

export function report(metric: string, value: number, unit: string): Metric {
  const line: Metric = { metric, value: Number(value.toFixed(3)), unit };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return line;
}

export function summary(name: string, metrics: Metric[], extra: Record<string, unknown> = {}): void {
  const values = Object.fromEntries(metrics.map((m) => [m.metric, m.value]));
  process.stdout.write(`${JSON.stringify({ summary: name, ...values, ...extra })}\n`);
}

/** The p-th percentile (0..100) of the samples, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
