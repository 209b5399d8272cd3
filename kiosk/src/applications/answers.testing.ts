/** Test answers for the dog registration form (`hund-anmelden`). */
import type { Answers } from '@amtomat/admin-sync/protocol';

/** What a citizen typed: values unlikely to occur anywhere by chance. */
export const DOG_ANSWERS: Answers = {
  surname: 'Quappendorfer',
  firstNames: 'Wiebke Zoë',
  address: { street: 'Zwetschgenallee', houseNumber: '17b', postcode: '56743', town: 'Thürwiesen' },
  dogName: 'Knödelbert',
  breed: 'Xoloitzcuintle',
  dogBirthDate: '2023-04-11',
  keptSince: '2024-02-29',
  listedDog: false,
  chipNumber: '276098106512345',
  iban: 'DE89370400440532013000',
  phone: '+49 2652 987654',
  email: 'wiebke.quappendorfer@example.org',
};
