/* keeps the support library non-empty */
typedef int artemis_test_support_empty;
