export default async function task({ x }) { await null; return x; }
