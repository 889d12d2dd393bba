export default function task({ x }) { return x; }
