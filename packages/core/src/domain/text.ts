/** "1 server", "2 servers", "0 servers": counts in messages people read, without "server(s)". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
