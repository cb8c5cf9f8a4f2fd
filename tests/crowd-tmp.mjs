import http from 'node:http';
const [path, conns, secs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const seen = new Map(); let n = 0; const end = Date.now() + secs * 1000;
async function worker() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (Date.now() < end) {
    const body = await new Promise((res, rej) => http.get({ host: '127.0.0.1', port: 8908, path, agent }, (r) => {
      let b = ''; r.setEncoding('utf8'); r.on('data', (c) => { b += c; }); r.on('end', () => res(b)); }).on('error', rej));
    n++;
    const m = path.startsWith('/api') ? (() => { const d = JSON.parse(body); return d.as_of + ' ' + d.records_as_of; })()
      : body.match(/datetime="([^"]+)"/)[1] + ' ' + (body.match(/records-total">([^<]+)</) || [])[1];
    seen.set(m, (seen.get(m) || 0) + 1);
  }
  agent.destroy();
}
await Promise.all(Array.from({ length: conns }, worker));
console.log(`${n} requests in ${secs} s, ${seen.size} distinct answers (data fetches)`);
