import Flashbar, { type FlashbarProps } from "@cloudscape-design/components/flashbar";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";

type Notify = (item: { type: FlashbarProps.Type; content: ReactNode; header?: string }) => void;
interface NotificationState {
  notify: Notify;
  items: FlashbarProps.MessageDefinition[];
}
const NotifyContext = createContext<NotificationState>({ notify: () => {}, items: [] });

/** Page-level messages (saved, started, failed) shown in the app layout's notification slot. */
export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<FlashbarProps.MessageDefinition[]>([]);
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
  const value = useMemo(() => ({ notify, items }), [notify, items]);
  return <NotifyContext.Provider value={value}>{children}</NotifyContext.Provider>;
}

export function useNotify(): Notify {
  return useContext(NotifyContext).notify;
}

export function Notifications() {
  const { items } = useContext(NotifyContext);
  return <Flashbar items={items} />;
}
