-- The working-day calendar (shared/workdays.h): public holidays, and the weekend days worked
-- instead (调休上班). Every other Saturday and Sunday is a day off, every other weekday a working
-- day. Loaded by certhall-admin seed on every run; a row already there takes the values below
-- (the State Council's notice is the authority, not local edits).
--
-- 2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), as published by Xinhua
-- (新华社北京11月4日电, e.g. https://politics.gmw.cn/2025-11/04/content_38391083.htm).
--
-- 2027: PROVISIONAL. The notice for 2027 had not been found when this file was written. The
-- rows are the statutory days off of 全国年节及纪念日放假办法 (2024 revision: 元旦 1 day,
-- 春节 4 days from 除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3) on 2027's dates (春节
-- 2027-02-06, 清明 04-05, 端午 06-09, 中秋 09-15), without the bridging days and the weekend
-- days worked that only the notice decides. When the notice is out: delete 2027's rows here
-- and in the database (DELETE FROM holidays WHERE day BETWEEN '2027-01-01' AND '2027-12-31')
-- and list the notice's days as for 2026.

-- 2026 (国务院办公厅通知, 2025-11-04)
INSERT INTO holidays (day, kind, name) VALUES
  ('2026-01-01', 'holiday', '元旦'),
  ('2026-01-02', 'holiday', '元旦'),
  ('2026-01-03', 'holiday', '元旦'),
  ('2026-01-04', 'workday', '元旦调休上班'),
  ('2026-02-14', 'workday', '春节调休上班'),
  ('2026-02-15', 'holiday', '春节'),
  ('2026-02-16', 'holiday', '春节'),
  ('2026-02-17', 'holiday', '春节'),
  ('2026-02-18', 'holiday', '春节'),
  ('2026-02-19', 'holiday', '春节'),
  ('2026-02-20', 'holiday', '春节'),
  ('2026-02-21', 'holiday', '春节'),
  ('2026-02-22', 'holiday', '春节'),
  ('2026-02-23', 'holiday', '春节'),
  ('2026-02-28', 'workday', '春节调休上班'),
  ('2026-04-04', 'holiday', '清明节'),
  ('2026-04-05', 'holiday', '清明节'),
  ('2026-04-06', 'holiday', '清明节'),
  ('2026-05-01', 'holiday', '劳动节'),
  ('2026-05-02', 'holiday', '劳动节'),
  ('2026-05-03', 'holiday', '劳动节'),
  ('2026-05-04', 'holiday', '劳动节'),
  ('2026-05-05', 'holiday', '劳动节'),
  ('2026-05-09', 'workday', '劳动节调休上班'),
  ('2026-06-19', 'holiday', '端午节'),
  ('2026-06-20', 'holiday', '端午节'),
  ('2026-06-21', 'holiday', '端午节'),
  ('2026-09-20', 'workday', '国庆节调休上班'),
  ('2026-09-25', 'holiday', '中秋节'),
  ('2026-09-26', 'holiday', '中秋节'),
  ('2026-09-27', 'holiday', '中秋节'),
  ('2026-10-01', 'holiday', '国庆节'),
  ('2026-10-02', 'holiday', '国庆节'),
  ('2026-10-03', 'holiday', '国庆节'),
  ('2026-10-04', 'holiday', '国庆节'),
  ('2026-10-05', 'holiday', '国庆节'),
  ('2026-10-06', 'holiday', '国庆节'),
  ('2026-10-07', 'holiday', '国庆节'),
  ('2026-10-10', 'workday', '国庆节调休上班')
ON DUPLICATE KEY UPDATE kind = VALUES(kind), name = VALUES(name);

-- 2027 (provisional: statutory days only, see above)
INSERT INTO holidays (day, kind, name) VALUES
  ('2027-01-01', 'holiday', '元旦（暂定）'),
  ('2027-02-05', 'holiday', '春节（暂定）'),
  ('2027-02-06', 'holiday', '春节（暂定）'),
  ('2027-02-07', 'holiday', '春节（暂定）'),
  ('2027-02-08', 'holiday', '春节（暂定）'),
  ('2027-04-05', 'holiday', '清明节（暂定）'),
  ('2027-05-01', 'holiday', '劳动节（暂定）'),
  ('2027-05-02', 'holiday', '劳动节（暂定）'),
  ('2027-06-09', 'holiday', '端午节（暂定）'),
  ('2027-09-15', 'holiday', '中秋节（暂定）'),
  ('2027-10-01', 'holiday', '国庆节（暂定）'),
  ('2027-10-02', 'holiday', '国庆节（暂定）'),
  ('2027-10-03', 'holiday', '国庆节（暂定）')
ON DUPLICATE KEY UPDATE kind = VALUES(kind), name = VALUES(name);

