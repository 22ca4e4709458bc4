-- The statistics scenario (issue 11): ten cases of 泰和县 around the 2026
-- National Day holiday, its Mid-Autumn days and its make-up workdays, with
-- the figures worked out by hand in tests/integration/test-stats.sh.
--
-- Working days (data/holidays-cn-2026.csv): Sep 25-27 off (中秋), Sep 28-30
-- worked, Oct 1-7 off (国庆), Oct 8-9 worked, Oct 10 (Saturday) worked
-- (调休), Oct 11 off, Oct 12-16 worked, Oct 19-22 worked.
--
-- Rows go through the states as the county writes them (insert, then
-- UPDATE into 受理, then into 办结), so the trigger of migration 009 is what
-- records stat_accepted_at and stat_due_at.  NB001 is a 承诺件 of 10 working
-- days, JS001 a 即办件, ZX001 a consultation, BF001 a help request.
-- Deadlines: 期限从次日起算 (tb_calendar.h).
CREATE TEMP TABLE s (id text, origin text, item text, logged timestamptz, accepted timestamptz,
                     due timestamptz, closed timestamptz, rating smallint, final text,
                     paused boolean);
INSERT INTO s VALUES
-- A: 澄江镇 文田社区, accepted Thu Sep 24; due the 10th working day after,
--    Thu Oct 15; closed Fri Oct 9: 5 working days (Sep 28, 29, 30, Oct 8, 9), early; 非常满意.
('360826100001-20260922-0001', '360826100001', 'NB001', '2026-09-22 09:00+08', '2026-09-24 10:00+08',
 '2026-10-15 23:59:59.999+08', '2026-10-09 16:00+08', 5, 'closed', false),
-- B: 澄江镇 白凤社区, accepted Wed Sep 30; due Tue Oct 20 (Oct 8, 9, 10, 12-16, 19, 20);
--    closed on the due day: on time, not early, 10 working days; 不满意 (差评).
('360826100002-20260929-0001', '360826100002', 'NB001', '2026-09-29 09:00+08', '2026-09-30 09:00+08',
 '2026-10-20 23:59:59.999+08', '2026-10-20 15:00+08', 2, 'closed', false),
-- C: a walk-in at the 澄江镇 window, 即办件 accepted and closed the same day; 满意.
('360826100000-20260930-0001', '360826100000', 'JS001', '2026-09-30 10:00+08', '2026-09-30 10:05+08',
 '2026-09-30 23:59:59.999+08', '2026-09-30 11:00+08', 4, 'closed', false),
-- D: 桥头镇, logged on Fri Sep 25 (a holiday), accepted Mon Sep 28; due Fri Oct 16;
--    closed Mon Oct 19: late (overdue), 11 working days; not rated.
('360826102001-20260925-0001', '360826102001', 'NB001', '2026-09-25 10:00+08', '2026-09-28 09:00+08',
 '2026-10-16 23:59:59.999+08', '2026-10-19 10:00+08', 0, 'closed', false),
-- E: 桥头镇, accepted Thu Oct 8; due Wed Oct 21; still handled: overdue now.
('360826102001-20261008-0001', '360826102001', 'NB001', '2026-10-08 09:00+08', '2026-10-08 10:00+08',
 '2026-10-21 23:59:59.999+08', NULL, 0, 'accepted', false),
-- F: 桥头镇, accepted Fri Oct 9, due Thu Oct 22, then waiting for a supplement
--    (补正: the clock is stopped, no deadline): open, not overdue.
('360826102001-20261009-0001', '360826102001', 'NB001', '2026-10-09 09:00+08', '2026-10-09 11:00+08',
 '2026-10-22 23:59:59.999+08', NULL, 0, 'supplement', true),
-- G: a consultation at 文田社区, answered.
('360826100001-20260930-0002', '360826100001', 'ZX001', '2026-09-30 15:00+08', NULL, NULL,
 '2026-09-30 15:10+08', 0, 'closed', false),
-- H: a help request at 文田社区.
('360826100001-20261008-0003', '360826100001', 'BF001', '2026-10-08 11:00+08', NULL, NULL,
 NULL, 0, 'logged', false),
-- I: 白凤社区, refused at pre-review (不予受理): logged, never accepted, not open.
('360826100002-20260929-0002', '360826100002', 'NB001', '2026-09-29 10:00+08', NULL, NULL,
 NULL, 0, 'refused', false),
-- J: 文田社区, logged on the make-up Saturday Oct 10, still in pre-review: open.
('360826100001-20261010-0001', '360826100001', 'NB001', '2026-10-10 09:00+08', NULL, NULL,
 NULL, 0, 'prereview', false),
-- K: logged in August, accepted and closed: outside September-October.
('360826100001-20260831-0001', '360826100001', 'NB001', '2026-08-31 09:00+08', '2026-08-31 10:00+08',
 '2026-09-14 23:59:59.999+08', '2026-09-01 10:00+08', 5, 'closed', false),
-- L: another county's case in the same store: outside 泰和县's scope.
('360827100001-20260922-0001', '360827100001', 'NB001', '2026-09-22 09:00+08', '2026-09-24 10:00+08',
 '2026-10-15 23:59:59.999+08', '2026-10-09 16:00+08', 1, 'closed', false);

INSERT INTO cases(case_id, origin, client_name, client_phone, agent, item_code, note, accept_time,
                  state, holder, pending, version, updated_at)
SELECT id, origin, '张三', '13800138000', '张代办', item, '', logged,
       CASE WHEN accepted IS NULL THEN final ELSE 'prereview' END, substr(origin, 1, 9) || '000',
       '', 1, logged FROM s;
UPDATE cases c SET state = 'accepted', updated_at = s.accepted, due_at = s.due, version = 2
    FROM s WHERE s.id = c.case_id AND s.accepted IS NOT NULL;
UPDATE cases c SET state = 'closed', updated_at = s.closed, completion_time = s.closed,
       due_at = NULL, rating = s.rating, version = 3
    FROM s WHERE s.id = c.case_id AND s.final = 'closed';
UPDATE cases c SET state = s.final, due_at = NULL, paused = true, version = 3
    FROM s WHERE s.id = c.case_id AND s.paused;

-- A's history across the tiers, for the timeline (the body is not read by the figures).
INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at, target,
                        reason, via, folded, body) VALUES
('360826100001', 1, '360826100001-20260922-0001', 1, 'logged', '张代办', '2026-09-22 09:00+08', '', '', '360826100000', true, ''),
('360826100001', 2, '360826100001-20260922-0001', 2, 'submitted', '张代办', '2026-09-22 09:05+08', '360826100000', '', '360826100000', true, ''),
('360826100000', 1, '360826100001-20260922-0001', 3, 'received', '窗口李', '2026-09-23 08:30+08', '', '', '360826100000', true, ''),
('360826100000', 2, '360826100001-20260922-0001', 4, 'accepted', '窗口李', '2026-09-24 10:00+08', '', '', '360826100000', true, ''),
('360826100000', 3, '360826100001-20260922-0001', 14, 'delivered', '窗口李', '2026-10-09 16:00+08', '', '', '360826100000', true, '');

-- 亮牌: cards as the county's timer writes them (all cleared since, so the
-- cards open now stay those the test adds later).  Counted by the day the
-- card was raised (China time) and the unit holding the case then:
--   I  白凤社区's case in pre-review at 澄江镇: yellow Wed Sep 30 00:00   澄江镇, September
--   J  in pre-review at 澄江镇: yellow Tue Oct 13 00:00                 澄江镇, October
--   E  accepted at 桥头镇: yellow Tue Oct 20 00:00, red Thu Oct 22 00:00 桥头镇, October
--   F  at 桥头镇: red Sat Oct 31 23:59:59, the range's last second      桥头镇, October
--   F  again Sun Nov 1 00:00: after the range, not counted
--   L  another county's holder on Oct 10: outside the scope, not counted
-- Sep 1 - Oct 31: 3 yellow, 2 red; 澄江镇 2 yellow; 桥头镇 1 yellow, 2 red;
-- September 1 (yellow), October 4 (2 yellow, 2 red).
INSERT INTO cards(id, case_id, level, kind, raised_at, due_at, holder, responsible, cleared_at,
                  cleared_why) VALUES
(801, '360826100002-20260929-0002', 'yellow', 'prereview', '2026-09-30 00:00+08', '2026-10-08 23:59:59.999+08', '360826100000', '窗口李', '2026-10-08 09:00+08', 'refused'),
(802, '360826100001-20261010-0001', 'yellow', 'prereview', '2026-10-13 00:00+08', '2026-10-13 23:59:59.999+08', '360826100000', '', '2026-10-14 00:00+08', 'limits'),
(803, '360826102001-20261008-0001', 'yellow', 'deadline', '2026-10-20 00:00+08', '2026-10-21 23:59:59.999+08', '360826102000', '窗口周', '2026-10-22 00:00+08', 'red'),
(804, '360826102001-20261008-0001', 'red', 'deadline', '2026-10-22 00:00+08', '2026-10-21 23:59:59.999+08', '360826102000', '窗口周', '2026-10-23 00:00+08', 'limits'),
(805, '360826102001-20261009-0001', 'red', 'deadline', '2026-10-31 23:59:59+08', '2026-10-22 23:59:59.999+08', '360826102000', '', '2026-10-31 23:59:59.5+08', 'paused'),
(806, '360826102001-20261009-0001', 'red', 'deadline', '2026-11-01 00:00+08', '2026-10-22 23:59:59.999+08', '360826102000', '', '2026-11-01 00:00:01+08', 'paused'),
(807, '360827100001-20260922-0001', 'yellow', 'deadline', '2026-10-10 00:00+08', '2026-10-15 23:59:59.999+08', '360827100000', '', '2026-10-10 00:00:01+08', 'closed');

-- 投诉 (complaints by outcome), counted on the case they are about, over the
-- cases logged in the range (as the ratings are); the flow's folded events
-- (EventType 30..38) with no bodies, as the figures read only their types:
--   C  filed Oct 10 at the 澄江镇 window, accepted, assigned, replied, revisited,
--      closed (办结); filed again Oct 20, declined (不予受理)      2 filed, 1 closed, 1 declined
--   D  filed, accepted, assigned, replied, revisited, redone (重办),
--      replied, a fault recorded (问责); still open               1 filed, open, 1 redo, 1 fault
--   E  one COMPLAINED refused out of turn (folded = false: not counted),
--      one filed and still waiting for 受理                        1 filed, open
--   B  filed at 白凤社区, declined                                  1 filed, 1 declined
--   K  (August) and L (another county): filed and closed, not counted
-- Sep 1 - Oct 31: 5 filed, 1 closed, 2 declined, 2 open, 1 redo, 1 fault;
-- 澄江镇 (B, C) 3/1/2/0, 桥头镇 (D, E) 2/0/0/2; by the month the case was
-- logged: September 4 (B, C, D), October 1 (E).
INSERT INTO case_events(origin_node, origin_seq, case_id, type, type_name, actor, at, target,
                        reason, via, folded, body)
SELECT o, seq, c, t, n, '张代办', at::timestamptz, '', '', '360826100000', f, '' FROM (VALUES
('360826100000', 21, '360826100000-20260930-0001', 30, 'complained', '2026-10-10 09:00+08', true),
('360826000000', 101, '360826100000-20260930-0001', 31, 'complaint_accepted', '2026-10-10 10:00+08', true),
('360826000000', 102, '360826100000-20260930-0001', 33, 'complaint_assigned', '2026-10-10 10:01+08', true),
('360826100000', 11, '360826100000-20260930-0001', 34, 'complaint_replied', '2026-10-12 10:00+08', true),
('360826000000', 103, '360826100000-20260930-0001', 35, 'complaint_revisited', '2026-10-13 10:00+08', true),
('360826000000', 104, '360826100000-20260930-0001', 36, 'complaint_closed', '2026-10-13 11:00+08', true),
('360826100000', 22, '360826100000-20260930-0001', 30, 'complained', '2026-10-20 09:00+08', true),
('360826000000', 105, '360826100000-20260930-0001', 32, 'complaint_declined', '2026-10-20 10:00+08', true),
('360826102001', 11, '360826102001-20260925-0001', 30, 'complained', '2026-10-19 11:00+08', true),
('360826000000', 106, '360826102001-20260925-0001', 31, 'complaint_accepted', '2026-10-19 12:00+08', true),
('360826000000', 107, '360826102001-20260925-0001', 33, 'complaint_assigned', '2026-10-19 12:01+08', true),
('360826102000', 11, '360826102001-20260925-0001', 34, 'complaint_replied', '2026-10-20 09:00+08', true),
('360826000000', 108, '360826102001-20260925-0001', 35, 'complaint_revisited', '2026-10-21 09:00+08', true),
('360826000000', 109, '360826102001-20260925-0001', 37, 'complaint_redone', '2026-10-21 09:05+08', true),
('360826102000', 12, '360826102001-20260925-0001', 34, 'complaint_replied', '2026-10-22 09:00+08', true),
('360826000000', 110, '360826102001-20260925-0001', 38, 'complaint_fault', '2026-10-22 10:00+08', true),
('360826102001', 12, '360826102001-20261008-0001', 30, 'complained', '2026-10-20 09:00+08', false),
('360826102001', 13, '360826102001-20261008-0001', 30, 'complained', '2026-10-21 09:00+08', true),
('360826100002', 11, '360826100002-20260929-0001', 30, 'complained', '2026-10-21 09:00+08', true),
('360826000000', 112, '360826100002-20260929-0001', 32, 'complaint_declined', '2026-10-22 09:00+08', true),
('360826100001', 13, '360826100001-20260831-0001', 30, 'complained', '2026-09-02 09:00+08', true),
('360826000000', 111, '360826100001-20260831-0001', 36, 'complaint_closed', '2026-09-03 09:00+08', true),
('360827100001', 11, '360827100001-20260922-0001', 30, 'complained', '2026-10-12 09:00+08', true)
) AS e(o, seq, c, t, n, at, f);

-- 追评 (migration 018): A 不满意 (2), B 满意 (4); K and L outside.  The
-- rates count the first rating (GB/T 39735): 满意率 stays 2 of 3; 2 追评,
-- 1 of them satisfied (追评满意率 0.5).
UPDATE cases SET followup = CASE case_id WHEN '360826100001-20260922-0001' THEN 2
                 WHEN '360826100002-20260929-0001' THEN 4 WHEN '360826100001-20260831-0001' THEN 5
                 ELSE 1 END
 WHERE case_id IN ('360826100001-20260922-0001', '360826100002-20260929-0001',
                   '360826100001-20260831-0001', '360827100001-20260922-0001');
