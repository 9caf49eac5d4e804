/* Symbol visibility for the public API. The library is built with -fvisibility=hidden;
 * only functions marked ARTEMIS_API are exported. */
#ifndef ARTEMIS_EXPORT_H
#define ARTEMIS_EXPORT_H

#if defined(ARTEMIS_BUILDING_LIBRARY) && defined(__GNUC__)
#define ARTEMIS_API __attribute__((visibility("default")))
#else
#define ARTEMIS_API
#endif

#endif /* ARTEMIS_EXPORT_H */
