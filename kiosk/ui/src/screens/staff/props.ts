/** What staffFlow.props() gives every staff screen. */
export interface StaffProps {
  role: string | null;
  /** The fleet sync, on the menu only; null when the site has none. */
  sync?: {
    online: boolean;
    lastSync: number | null;
    queueLength: number;
    lastError: string | null;
  } | null;
  tasks: string[];
  error: string | null;
  errorDetail: string | null;
  refusal: string | null;
  lockedUntil: number | null;
  entered: number;
  /** A typed reference, masked but its last characters. */
  typed: string | null;
  load: {
    kind: string | null;
    size: string | null;
    created: boolean;
    compartment: string | null;
    fourEyes: boolean;
    secondStaff: boolean;
  } | null;
  lastLoad: { compartment: string; outcome: 'loaded' | 'not-detected' } | null;
  noCompartmentSize: string | null;
  expired: { id: string; kind: string; compartment: string | null; reference: string }[];
  door: {
    compartment: string;
    purpose: string;
    reason: string | null;
    openedAt: number | null;
    item: { kind: string | null; reference: string | null } | null;
    remaining: number;
    taken: boolean;
  } | null;
  lastDoor: { compartment: string; purpose: string; outcome: string; reason: string | null } | null;
  defectMarked: boolean;
  compartments: {
    label: string;
    size: string;
    defective: boolean;
    defectReason: string | null;
    door: string;
    occupied: boolean;
  }[];
  choices: {
    kinds: string[];
    sizes: string[];
    maintenanceReasons: string[];
    defectReasons: string[];
  };
}
