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

/** A baseline's throughput, as the summary's baseline column reads it. */
function throughputOf(baselineName: string, mibPerSecond: number): string {
  return `${baselineName} ${formatNumber(mibPerSecond)} MiB/s`;
}

/**
 * The median paired ratio of a transfer bench's service to a baseline; the baseline's throughput,
 * when given, shows next to it (for a baseline no throughput figure names).
 */
export function ratioFigure(
  what: string,
  baselineName: string,
  ratio: number,
  atLeast: number,
  baselineMiBPerSecond?: number,
): Figure {
  return {
    name: `${what} ÷ ${baselineName} (median of paired rounds)`,
    value: ratio,
    unit: '×',
    ...(baselineMiBPerSecond === undefined
      ? {}
      : { baseline: throughputOf(baselineName, baselineMiBPerSecond) }),
    target: { atLeast },
  };
}

/**
 * The figures of a transfer bench: throughput against the baseline, their paired
 * ratio (target ≥ 0.9 unless told) and the serving process's peak RSS growth (target ≤ 64 MiB).
 */
export function transferFigures(
  what: string,
  baselineName: string,
  medians: TransferMedians,
  ratioAtLeast = 0.9,
): Figure[] {
  return [
    {
      name: `${what} throughput`,
      value: medians.serviceMiBPerSecond,
      unit: 'MiB/s',
      baseline: throughputOf(baselineName, medians.baselineMiBPerSecond),
    },
    ratioFigure(what, baselineName, medians.ratio, ratioAtLeast),
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
