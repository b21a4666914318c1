use madar_tests::*;
