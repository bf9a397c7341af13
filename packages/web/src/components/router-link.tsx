import Link, { type LinkProps } from "@cloudscape-design/components/link";
import type { ReactNode } from "react";
import { useNavigate } from "react-router-dom";

/** A Cloudscape link that navigates inside the single-page app. */
export function RouterLink({
  href,
  children,
  ...rest
}: { href: string; children: ReactNode } & Omit<LinkProps, "href" | "onFollow">) {
  const navigate = useNavigate();
  return (
    <Link
      {...rest}
      href={href}
      onFollow={(e) => {
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </Link>
  );
}
