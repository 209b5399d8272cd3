export {
  type HidOpenError,
  type HidSelector,
  hidSelectorSchema,
  openHidDevice,
} from './hid.ts';
export {
  BOOT_KEYBOARD_REPORT_SIZE,
  createHidCardReader,
  type HidCardReaderOptions,
  type HidCardRejectReason,
  hidCardReaderConfigSchema,
  KEY_ENTER,
  keyToHexChar,
  MAX_UID_CHARS,
} from './hid-card-reader.ts';
export {
  createHidPosScanner,
  decodeHidPosReport,
  HID_POS_DATA_OFFSET,
  HID_POS_MAX_CHUNK,
  HID_POS_MORE_INDEX,
  HID_POS_REPORT_ID,
  HID_POS_REPORT_SIZE,
  HID_POS_USAGE_PAGE,
  type HidPosChunk,
  type HidPosReportRejectReason,
  type HidPosScannerOptions,
  type HidPosScanRejectReason,
  hidPosScannerConfigSchema,
} from './hid-pos-scanner.ts';
export {
  CARD_FRAME_LENGTH,
  CARD_TYPE_DEFAULT,
  CARD_UID_LENGTH,
  createCardFrameParser,
  createSerialCardReader,
  decodeSerialCardFrame,
  encodeSerialCardFrame,
  type SerialCardReaderOptions,
  type SerialCardRejectReason,
  serialCardReaderConfigSchema,
} from './serial-card-reader.ts';
export {
  createSerialScanner,
  type SerialScannerOptions,
  type SerialScanRejectReason,
  serialScannerConfigSchema,
} from './serial-scanner.ts';
export type {
  ByteSource,
  CardEvent,
  CardReader,
  HidDevice,
  ScanEvent,
  Scanner,
} from './types.ts';
