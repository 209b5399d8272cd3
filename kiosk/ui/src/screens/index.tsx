import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { Screen } from '../components/Screen.tsx';
import type { ScreenMap, View } from '../contract.ts';
import {
  ApplicationChecking,
  ApplicationChoose,
  ApplicationConsent,
  ApplicationNeeds,
  ApplicationQuestion,
  ApplicationReceipt,
  ApplicationReview,
  ApplicationUnavailable,
} from './application/ApplicationScreens.tsx';
import { ApplicationPhone, ApplicationSmsCode } from './application/SmsScreens.tsx';
import {
  CourierDepositAndClose,
  CourierDeposited,
  CourierDoorFailed,
  CourierNotSeen,
  CourierOpening,
} from './courier/CourierDoor.tsx';
import { CourierChecking, CourierLogin, CourierScan } from './courier/CourierLogin.tsx';
import { CourierFull, CourierSize, CourierSizeFull } from './courier/CourierSize.tsx';
import {
  DropOffChecking,
  DropOffFull,
  DropOffOpening,
  DropOffPutInAndClose,
  DropOffReceipt,
  DropOffReference,
} from './drop-off/DropOffScreens.tsx';
import {
  ParcelChecking,
  ParcelCode,
  ParcelOpening,
  ParcelTakeAndClose,
} from './parcel/ParcelScreens.tsx';
import { PickupChoose } from './pickup/PickupChoose.tsx';
import { PickupCode, PickupDateOfBirth } from './pickup/PickupCode.tsx';
import { PickupChecking, PickupDoor, PickupPinLetter } from './pickup/PickupDoor.tsx';
import { Attract } from './session/Attract.tsx';
import { Survey } from './session/Survey.tsx';
import { StaffDoorFailed, StaffDoorOpen, StaffOpening } from './staff/StaffDoor.tsx';
import { StaffLoadDescribe, StaffLoadScan, StaffNoCompartment } from './staff/StaffLoad.tsx';
import {
  StaffChecking,
  StaffLocked,
  StaffPin,
  StaffSecondCard,
  StaffSecondPin,
  StaffUnknownCard,
} from './staff/StaffLogin.tsx';
import { StaffMaintenance } from './staff/StaffMaintenance.tsx';
import { StaffMenu } from './staff/StaffMenu.tsx';
import { StaffRetrieveConfirm, StaffRetrieveList } from './staff/StaffRetrieve.tsx';

/** Screen name (View.screen) → its component, typed with that screen's props. */
export const SCREENS: ScreenMap = {
  attract: Attract,
  survey: Survey,
  'pickup.code': PickupCode,
  'pickup.checking': PickupChecking,
  'pickup.date-of-birth': PickupDateOfBirth,
  'pickup.choose': PickupChoose,
  'pickup.pin-letter': PickupPinLetter,
  'pickup.door': PickupDoor,
  'courier.login': CourierLogin,
  'courier.checking': CourierChecking,
  'courier.scan': CourierScan,
  'courier.size': CourierSize,
  'courier.size-full': CourierSizeFull,
  'courier.full': CourierFull,
  'courier.opening': CourierOpening,
  'courier.deposit-and-close': CourierDepositAndClose,
  'courier.not-seen': CourierNotSeen,
  'courier.door-failed': CourierDoorFailed,
  'courier.deposited': CourierDeposited,
  'parcel.code': ParcelCode,
  'parcel.checking': ParcelChecking,
  'parcel.opening': ParcelOpening,
  'parcel.take-and-close': ParcelTakeAndClose,
  'drop-off.reference': DropOffReference,
  'drop-off.checking': DropOffChecking,
  'drop-off.full': DropOffFull,
  'drop-off.opening': DropOffOpening,
  'drop-off.put-in-and-close': DropOffPutInAndClose,
  'drop-off.receipt': DropOffReceipt,
  'application.checking': ApplicationChecking,
  'application.choose': ApplicationChoose,
  'application.needs': ApplicationNeeds,
  'application.question': ApplicationQuestion,
  'application.review': ApplicationReview,
  'application.consent': ApplicationConsent,
  'application.phone': ApplicationPhone,
  'application.sms-code': ApplicationSmsCode,
  'application.receipt': ApplicationReceipt,
  'application.unavailable': ApplicationUnavailable,
  'staff.checking': StaffChecking,
  'staff.unknown-card': StaffUnknownCard,
  'staff.locked': StaffLocked,
  'staff.pin': StaffPin,
  'staff.menu': StaffMenu,
  'staff.load.scan': StaffLoadScan,
  'staff.load.describe': StaffLoadDescribe,
  'staff.load.no-compartment': StaffNoCompartment,
  'staff.load.second-card': StaffSecondCard,
  'staff.load.second-pin': StaffSecondPin,
  'staff.opening': StaffOpening,
  'staff.door-open': StaffDoorOpen,
  'staff.door-failed': StaffDoorFailed,
  'staff.retrieve.list': StaffRetrieveList,
  'staff.retrieve.confirm': StaffRetrieveConfirm,
  'staff.maintenance': StaffMaintenance,
};

/** The current screen's component with its props (a screen this page does not know: a notice). */
export function ScreenFor({ view }: { view: View }) {
  // SCREENS pairs every screen with a component of exactly its props (`ScreenMap`);
  // TypeScript cannot follow that pairing through the union `View`, hence this one widening.
  const Component = SCREENS[view.screen] as ComponentType<object> | undefined;
  return Component ? <Component {...view.props} /> : <UnknownScreen />;
}

/** A screen newer than this page: still framed, with Back/Cancel if it takes them. */
function UnknownScreen() {
  const { t } = useTranslation();
  return <Screen title={t('common.unknown-screen')} intro={t('common.please-wait')} />;
}
