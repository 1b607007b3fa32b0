const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The label of a request's route: its pattern (`/cls/data/:token/:name`), never the raw URL. */
export function routeLabel(routePattern: string | undefined): string {
  return routePattern === undefined || routePattern === '' ? 'unmatched' : routePattern;
}

/** `2xx`, `4xx`, `5xx`, …: a bounded label however odd the status. */
export function statusClass(statusCode: number): string {
  return Number.isInteger(statusCode) && statusCode >= 100 && statusCode < 600
    ? `${Math.floor(statusCode / 100)}xx`
    : 'other';
}

/** Methods outside the ones we route are one label, so a client cannot invent label values. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}
