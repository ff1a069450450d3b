/** Recently viewed dashboards, kept in this browser (newest first, at most 8). */
const KEY = 'rosetta.recent';

export function recentDashboards(): number[] {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((id) => typeof id === 'number') : [];
  } catch {
    return [];
  }
}

export function rememberDashboard(id: number): void {
  localStorage.setItem(KEY, JSON.stringify([id, ...recentDashboards().filter((x) => x !== id)].slice(0, 8)));
}
