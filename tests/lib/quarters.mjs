// Quarters as the server counts them (Shanghai days): the demo's quarterly
// reports are laid out back from the current quarter (sql/demo/programmes.sql).
import { sqlValue } from './env.mjs';

export const TODAY = sqlValue('select api.today()');
const [CY, CQ] = TODAY.split('-').map(Number);
const CURRENT = CY * 4 + Math.floor((CQ - 1) / 3);

// The quarter n before the current one (n = 0: the current one; n < 0:
// ahead of it): { year, quarter }.
export function back(n) {
  const i = CURRENT - n;
  return { year: Math.floor(i / 4), quarter: i % 4 + 1 };
}

export const label = (q) => `${q.year}年第${q.quarter}季度`;
export const key = (q) => `${q.year}Q${q.quarter}`;
export const addDays = (day, n) => new Date(Date.parse(day) + n * 86400e3).toISOString().slice(0, 10);
export const quarterStart = (q) => new Date(Date.UTC(q.year, q.quarter * 3 - 3, 1)).toISOString().slice(0, 10);
export const quarterEnd = (q) => new Date(Date.UTC(q.year, q.quarter * 3, 0)).toISOString().slice(0, 10);
