-- Reason codes of the reviewer console (review_reasons). The text is what the applicant reads in
-- the SMS and on the order; wording after the guides (001, 002, 004). Safe to load again:
-- existing rows are kept, so a CA's edited texts survive.
INSERT IGNORE INTO review_reasons (code, scope, text, sort) VALUES
 ('001', 'material', '营业执照复印件未加盖单位公章', 10),
 ('002', 'material', '扫描件不清晰，无法辨认内容', 20),
 ('003', 'material', '经办人身份证已过期', 30),
 ('004', 'material', '申请表与本订单不符（申请表与订单绑定，请打印本订单的申请表）', 40),
 ('005', 'material', '申请表未经经办人签字或未加盖单位公章', 50),
 ('006', 'material', '身份证复印件缺少正面或反面', 60),
 ('007', 'material', '扫描件经过涂改或编辑，请上传原始扫描件', 70),
 ('008', 'material', '电子印章采样表印迹不清晰或带有背景', 80),
 ('009', 'material', '法定代表人授权书未签字或未加盖单位公章', 90),
 ('010', 'material', '上传的材料与所需材料类型不符', 100),
 ('011', 'order', '单位名称与营业执照不一致', 110),
 ('012', 'order', '经办人信息与身份证件不一致', 120),
 ('013', 'order', '纸质材料与线上提交的材料不一致', 130),
 ('014', 'order', '未收到完整的纸质材料', 140),
 ('015', 'order', '该单位不符合办理条件', 150),
 ('016', 'order', '重复申请，请使用已有的订单办理', 160),
 ('099', 'any', '其他原因（详见审核说明）', 990);
