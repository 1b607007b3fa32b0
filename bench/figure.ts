/** A bound a figure must respect for the bench to pass (the acceptance targets). */
export type Target = { readonly atLeast: number } | { readonly atMost: number };

/** One headline number of a bench, as the suite's summary table shows it. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The in-run baseline or ratio the value is read against, in words. */
  readonly baseline?: string;
  readonly target?: Target;
}

/** Whether a figure meets its target; undefined when it has none. */
export function meetsTarget(figure: Figure): boolean | undefined {
  if (!figure.target) return undefined;
  return 'atLeast' in figure.target
    ? figure.value >= figure.target.atLeast
    : figure.value <= figure.target.atMost;
}

export function describeTarget(target: Target | undefined, unit: string): string {
  if (!target) return '';
  return 'atLeast' in target ? `≥ ${target.atLeast} ${unit}` : `≤ ${target.atMost} ${unit}`;
}

/** Rounds for display: whole numbers from 100 up, else three significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? String(Math.round(value)) : String(Number(value.toPrecision(3)));
}

/** A transfer bench's medians: the service's rounds against a baseline server's, paired. */
export interface TransferMedians {
  readonly serviceMiBPerSecond: number;
  readonly baselineMiBPerSecond: number;
  readonly ratio: number;
  readonly peakRssGrowthMiB: number;
}

/**
 * The figures of a transfer bench (issues 3 to 5): throughput against the baseline, their paired
 * ratio (target ≥ 0.9) and the serving process's peak RSS growth (target ≤ 64 MiB).
 */
export function transferFigures(
  what: string,
  baselineName: string,
  medians: TransferMedians,
): Figure[] {
  return [
    {
      name: `${what} throughput`,
      value: medians.serviceMiBPerSecond,
      unit: 'MiB/s',
      baseline: `${baselineName} ${formatNumber(medians.baselineMiBPerSecond)} MiB/s`,
    },
    {
      name: `${what} ÷ ${baselineName} (median of paired rounds)`,
      value: medians.ratio,
      unit: '×',
      target: { atLeast: 0.9 },
    },
    {
      name: `${what} peak RSS growth`,
      value: medians.peakRssGrowthMiB,
      unit: 'MiB',
      target: { atMost: 64 },
    },
  ];
}

/** `1 GiB`, `64 MiB`: sizes as the figures name them. */
export function formatSize(mib: number): string {
  return mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}
