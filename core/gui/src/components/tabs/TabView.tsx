import type { ComponentType } from 'react';
import { Suspense } from 'react';
import type { LucideIcon } from 'lucide-react';
import { useTabs } from '../../hooks/useTabs';
import { Loading } from '../ui/Loading';

/** One tab: a label, an optional icon, and the panel component (plain or React.lazy). */
export interface TabDefinition<P extends object> {
  id: string;
  label: string;
  icon?: LucideIcon;
  Panel: ComponentType<P>;
}

interface TabViewProps<P extends object> {
  tabs: readonly TabDefinition<P>[];
  /** Props given to every panel (for example the stream). */
  panelProps: P;
  label: string;
  initialId?: string;
  onChange?: (id: string) => void;
  orientation?: 'horizontal' | 'vertical';
  className?: string;
}

/**
 * Renders an accessible tab list and its panels. A panel mounts the first time its tab is
 * chosen and stays mounted (hidden) afterwards; lazy panels load behind a spinner.
 */
export function TabView<P extends object>({
  tabs,
  panelProps,
  label,
  initialId,
  onChange,
  orientation = 'horizontal',
  className,
}: TabViewProps<P>) {
  const ids = tabs.map((t) => t.id);
  const { visited, tabListProps, getTabProps, getPanelProps } = useTabs({
    ids,
    initialId,
    orientation,
    label,
    onChange,
  });
  return (
    <div className={`tabs tabs--${orientation} ${className ?? ''}`}>
      <div {...tabListProps} className="tabs__list">
        {tabs.map(({ id, label: tabLabel, icon: Icon }) => (
          <button key={id} type="button" className="tabs__tab" {...getTabProps(id)}>
            {Icon && <Icon aria-hidden size={16} />}
            <span>{tabLabel}</span>
          </button>
        ))}
      </div>
      {tabs.map(({ id, Panel }) => (
        <div key={id} className="tabs__panel" {...getPanelProps(id)}>
          {visited.has(id) && (
            <Suspense fallback={<Loading />}>
              <Panel {...panelProps} />
            </Suspense>
          )}
        </div>
      ))}
    </div>
  );
}
