// A node:test reporter that writes only what failed: each failing
// test's name and its error's message, without the stack.  tests/run.sh
// prints it last, after the server log's tail, so that the end of a
// failed run (all a CI summary keeps) says which assertion failed.
export default async function* failures(source) {
  for await (const { type, data } of source) {
    if (type !== 'test:fail' || data.details?.error?.failureType === 'subtestsFailed')
      continue;
    const e = data.details?.error;
    const cause = e?.cause ?? e;
    const message = String(cause?.message ?? cause).split('\n').slice(0, 12).join('\n  ');
    yield `✖ ${data.name} (${data.file ?? '?'}${data.line ? ':' + data.line : ''})\n  ${message}\n`;
  }
}
