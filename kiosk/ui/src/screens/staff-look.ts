/** Staff and courier screens get the distinct staff look. */
export const isStaffScreen = (screen: string) =>
  screen.startsWith('staff.') || screen.startsWith('courier.');
