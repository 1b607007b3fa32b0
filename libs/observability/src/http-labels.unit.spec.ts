import { methodLabel, routeLabel, statusClass } from './http-labels';

describe('HTTP metric labels', () => {
  it('labels a request by its route pattern, so tokens and ids never become label values', () => {
    expect(routeLabel('/cls/data/:token/:name')).toBe('/cls/data/:token/:name');
    expect(routeLabel('/api/content/library/item/update-session/:id')).toBe(
      '/api/content/library/item/update-session/:id',
    );
  });

  it('puts every request no route matched under one label', () => {
    expect(routeLabel(undefined)).toBe('unmatched');
    expect(routeLabel('')).toBe('unmatched');
  });

  it('groups statuses by class', () => {
    expect(statusClass(200)).toBe('2xx');
    expect(statusClass(206)).toBe('2xx');
    expect(statusClass(304)).toBe('3xx');
    expect(statusClass(404)).toBe('4xx');
    expect(statusClass(503)).toBe('5xx');
  });

  it('gives statuses outside HTTP one label', () => {
    expect(statusClass(0)).toBe('other');
    expect(statusClass(99)).toBe('other');
    expect(statusClass(600)).toBe('other');
    expect(statusClass(Number.NaN)).toBe('other');
  });

  it('keeps the routed methods and folds the rest', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('DELETE')).toBe('DELETE');
    expect(methodLabel('PROPFIND')).toBe('other');
  });
});
