import Box from "@cloudscape-design/components/box";
import Link from "@cloudscape-design/components/link";

export default function NotFound() {
  return (
    <Box padding="xxl" textAlign="center">
      <Box variant="h1">Page not found</Box>
      <Link href="/">Go to the dashboard</Link>
    </Box>
  );
}
