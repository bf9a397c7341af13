import Flashbar, { type FlashbarProps } from "@cloudscape-design/components/flashbar";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useLocation } from "react-router-dom";

type Notify = (item: { type: FlashbarProps.Type; content: ReactNode; header?: string }) => void;
interface NotificationState {
  notify: Notify;
  items: FlashbarProps.MessageDefinition[];
  remove: (ids: string[]) => void;
}
const NotifyContext = createContext<NotificationState>({ notify: () => {}, items: [], remove: () => {} });

/** Page-level messages (saved, started, failed) shown in the app layout's notification slot. */
export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<FlashbarProps.MessageDefinition[]>([]);
  const remove = useCallback((ids: string[]) => {
    if (ids.length > 0) setItems((c) => c.filter((i) => !ids.includes(i.id ?? "")));
  }, []);
  const notify = useCallback<Notify>((item) => {
    const id = `${Date.now()}-${Math.random()}`;
    const dismiss = () => setItems((c) => c.filter((i) => i.id !== id));
    setItems((current) => [
      ...current.slice(-3),
      {
        id,
        type: item.type,
        content: item.content,
        ...(item.header ? { header: item.header } : {}),
        dismissible: true,
        dismissLabel: "Dismiss message",
        onDismiss: dismiss,
      },
    ]);
    if (item.type === "success" || item.type === "info") setTimeout(dismiss, 8000);
  }, []);
  const value = useMemo(() => ({ notify, items, remove }), [notify, items, remove]);
  return <NotifyContext.Provider value={value}>{children}</NotifyContext.Provider>;
}

export function useNotify(): Notify {
  return useContext(NotifyContext).notify;
}

/**
 * The messages of the page being shown. A message belongs to the page it is first shown on (a "created"
 * message raised just before navigating to the list belongs to the list); leaving that page drops it, so a
 * message never follows the user to another screen.
 */
export function Notifications() {
  const { items, remove } = useContext(NotifyContext);
  const { pathname } = useLocation();
  const shownOn = useRef(new Map<string, string>());
  useEffect(() => {
    const stale: string[] = [];
    for (const item of items) {
      const id = item.id ?? "";
      const page = shownOn.current.get(id);
      if (page === undefined) shownOn.current.set(id, pathname);
      else if (page !== pathname) stale.push(id);
    }
    for (const id of [...shownOn.current.keys()])
      if (!items.some((i) => i.id === id)) shownOn.current.delete(id);
    remove(stale);
  }, [items, pathname, remove]);
  const visible = items.filter((i) => (shownOn.current.get(i.id ?? "") ?? pathname) === pathname);
  return <Flashbar items={visible} />;
}
