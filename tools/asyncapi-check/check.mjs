// Parses each AsyncAPI document named on the command line with the official parser and prints one JSON
// line per file: its errors (severity 0, which make the parser refuse the document) and warnings.
// Exit status 1 when any document is refused. Run by tests/unit/docs/test_asyncapi_parser.py.
import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';

const parser = new Parser();
let refused = 0;
for (const path of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(await readFile(path, 'utf8'), { source: path });
  const describe = (d) => `${d.path.join('.')}: ${d.message}`;
  const errors = diagnostics.filter((d) => d.severity === 0).map(describe);
  const warnings = diagnostics.filter((d) => d.severity === 1).map(describe);
  if (document === undefined || errors.length) refused += 1;
  console.log(JSON.stringify({ path, accepted: document !== undefined && errors.length === 0, errors, warnings }));
}
process.exit(refused ? 1 : 0);
