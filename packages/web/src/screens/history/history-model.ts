export { fetchAllPlans } from "../../hooks/use-inventory.js";

export const isTerminalStatus = (status: string) => ["COMPLETED", "FAILED", "CANCELLED"].includes(status);
