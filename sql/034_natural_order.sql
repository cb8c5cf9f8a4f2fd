-- Names in the order people look for them (issue 19): Chinese by pinyin,
-- and the numbers in a name by their value, so that a school's list of
-- children reads 乐乐1, 乐乐2, …, 乐乐10 (the database's default order put
-- 乐乐10 between 乐乐1 and 乐乐2, in a picker of a thousand).  ICU's Chinese
-- collation with numeric ordering (the "kn" keyword).
create collation natural_zh (provider = icu, locale = 'zh-u-kn-true');
