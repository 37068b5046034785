-- What a hall's own guide says where the domain digest says otherwise (the admin edits each).
--   change_items: what its change business may change (shared step "change": name, address,
--     seal, handler). 002 "证书信息变更业务支持用户在线修改证书的单位名称，修改经办人信息，目前不支持
--     在线变更签章，如需变更签章，请您至现场或邮寄介质到受理点处理": name and handler online, the seal
--     by mail (seal_change_online); the address is not among them.
--   desk_only_businesses: the businesses paid only by bank transfer or at the counter, no QR
--     payment (003: "在线支付宝扫码支付或对公转账" is said of 增加机构数字证书个数 only; its other
--     businesses "填写银行汇款信息(提前1个工作日公对公转账至CA机构网证通)", "现场缴费或提前汇款").
--   seal_sheet_lr: the seal sample sheet has a box for the legal representative's seal beside
--     the unit's (004 "法人章为在公安系统有备案红色方章").
--   person_self: a person's certificate is applied for by the person himself, no one on his
--     behalf: the handler is the holder (003 自然人: "申请人签名", "本人身份证复印件", "用本人银行卡
--     转账", "自然人(个人)数字证书需要申请人本人带材料到现场办理").
ALTER TABLE channels
  ADD COLUMN change_items VARCHAR(60) CHARACTER SET ascii NOT NULL DEFAULT 'name,address,seal,handler',
  ADD COLUMN desk_only_businesses VARCHAR(100) CHARACTER SET ascii NOT NULL DEFAULT '',
  ADD COLUMN seal_sheet_lr TINYINT(1) NOT NULL DEFAULT 0,
  ADD COLUMN person_self TINYINT(1) NOT NULL DEFAULT 0;

-- The demo halls of a database seeded before these columns (a fresh one: schema/seed/channels.sql).
UPDATE channels SET change_items = 'name,seal,handler' WHERE code = 'bjca-zycg';
UPDATE channels SET desk_only_businesses = 'new,renew,lost,damaged,change,unlock,revoke',
  person_self = 1 WHERE code = 'netca-gd';
UPDATE channels SET seal_sheet_lr = 1 WHERE code = 'jxca-js';

-- A channel's own rule of a material now stands for the material at that channel whatever the
-- business (as the upload list always read it): a business left out of the channel's row is not
-- asked for there, rather than falling back to the default's row. The demo halls' rows of a
-- database seeded before (a fresh one: uploads-policy/materials.sql):
-- 004 lists "5.签章采集表" among the uploads of its 补办 process, for every certificate.
UPDATE material_rules r JOIN channels c ON c.id = r.channel_id
  SET r.businesses = 'new,add,lost,damaged,change', r.cert_kinds = 'org,legal_rep'
  WHERE c.code = 'jxca-js' AND r.material = 'seal_sample' AND r.businesses = 'new,add,change'
    AND r.cert_kinds = 'org';
