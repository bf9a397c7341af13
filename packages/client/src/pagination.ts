/** Every item of a paged list (`items` + `nextToken`), asking for one page after the other. */
export async function allPages<T>(
  fetchPage: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await fetchPage(token);
    items.push(...result.items);
    if (!result.nextToken) return items;
    token = result.nextToken;
  }
  return items;
}
