import { quotaBoundRecovery } from "./history-scenarios.js";

async function main() {
  console.log(JSON.stringify(await quotaBoundRecovery()));
}
void main();
