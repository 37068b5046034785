<?php
// make bench (p): the public order look-up of fcgi-apps/track/order.c, in PHP 8.2 under php-fpm
// with PDO, doing the same work: the JSON body and its fields checked (the order number's Damm
// check digit, the 4-digit tail), the per-address limit counted in MariaDB (the same table and
// upsert; exact, one write a hit), the order and its timeline in one round trip (the same
// statement), the handler's mobile opened with AES-256-GCM under the same key, the subject and
// mobile masked, JSON out; the same error envelope and codes. Written the way a PHP developer
// who cares about speed would: a persistent connection, native prepares, opcache (the pool).
// Configuration comes from the php-fpm pool's environment (tools/bench/php.sh writes it).

declare(strict_types=1);

const DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];
const BUSINESS = ['new' => '新办', 'add' => '新增证书', 'renew' => '证书更新', 'lost' => '遗失补办',
    'damaged' => '损坏补办', 'change' => '信息变更', 'unlock' => '证书解锁', 'revoke' => '证书注销'];
const KINDS = ['org' => '机构证书', 'legal_rep' => '法人代表证书', 'person' => '个人证书'];
const STATES = ['draft' => '未完成', 'verify_failed' => '身份核验未通过', 'pending_payment' => '待支付',
    'pre_review' => '待预审', 'awaiting_paper' => '待寄送纸质材料', 'paper_review' => '纸质材料审核中',
    'reviewing' => '审核中', 'returned' => '已退回，待修改', 'approved' => '审核通过',
    'making' => '证书制作中', 'shipped' => '已寄出', 'done' => '已完成', 'cancelled' => '已取消',
    'refunding' => '退款中', 'refunded' => '已退款', 'expired' => '已过期'];
const EVENTS = ['created' => '订单已创建', 'material_uploaded' => '已上传材料', 'verified' => '身份核验通过',
    'verify_failed' => '身份核验未通过', 'step_edited' => '已修改核验信息，待重新核验',
    'mail_in' => '已改为线下邮寄办理', 'signed' => '已短信签署申请', 'payment_started' => '已发起支付',
    'payment_awaiting_finance' => '已登记转账/柜台付款，待财务确认', 'refund_requested' => '已申请退款',
    'refunded' => '退款完成', 'expired' => '草稿长期未操作，已过期', 'submitted' => '申请已提交',
    'paid' => '支付成功', 'pre_review_passed' => '预审通过', 'returned' => '审核未通过，已退回修改',
    'resubmitted' => '已重新提交', 'paper_sent' => '纸质材料已寄出', 'paper_received' => '纸质材料已签收',
    'approved' => '审核通过', 'key_made' => '证书已制作', 'shipped' => '证书已寄出', 'done' => '办理完成',
    'cancelled' => '订单已取消'];

const SQL_HIT = 'INSERT INTO rate_limits (bucket, win, span, hits) VALUES (?, ?, ?, 1) '
    . 'ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)';
const SQL_PRUNE = 'DELETE FROM rate_limits WHERE span = ? AND win < ? LIMIT 1000';
const SQL_ORDER = "SELECT o.order_no, o.business_type, o.cert_kind, o.state, o.subject_name, "
    . "o.handler_mobile_enc, DATE_FORMAT(o.created_at, '%Y-%m-%dT%H:%i:%s+08:00'), c.name, "
    . "DATE_FORMAT(e.at, '%Y-%m-%dT%H:%i:%s+08:00'), e.kind, e.state_to, e.note, e.id, o.id, "
    . "EXISTS (SELECT 1 FROM waybills w WHERE w.order_id = o.id) "
    . "FROM orders o JOIN channels c ON c.id = o.channel_id "
    . "LEFT JOIN order_events e ON e.order_id = o.id AND e.public = 1 "
    . "WHERE o.order_no = ? LIMIT 200";
const SQL_WAYBILLS = "SELECT direction, carrier, number, last_state, last_events, "
    . "DATE_FORMAT(last_checked_at, '%Y-%m-%dT%H:%i:%s+08:00'), refresh_failures "
    . "FROM waybills WHERE order_id = ? ORDER BY direction = 'out', created_at, id LIMIT 8";
const AAD_MOBILE = 'orders.handler_mobile';

const ERRORS = [
    'unsupported_media_type' => [415, '请求格式不正确：请以 JSON（application/json）提交。'],
    'too_large' => [413, '请求内容过大。'],
    'bad_json' => [400, '请求内容不是有效的 JSON 对象。'],
    'missing_field' => [400, '缺少必填项。'],
    'invalid_field' => [400, '填写的内容不正确。'],
    'not_found' => [404, '未找到与该订单号和手机号后四位匹配的订单，请核对后重试。'],
    'rate_limited' => [429, '查询过于频繁，请稍后再试。'],
    'internal' => [500, '服务器内部错误，请稍后重试。'],
    'unavailable' => [503, '服务暂时不可用，请稍后重试。'],
];

function answer(int $status, array $body): void
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    echo json_encode($body, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
}

function fail(string $code, ?string $field = null, ?string $message = null): void
{
    [$status, $text] = ERRORS[$code];
    $err = ['code' => $code, 'message' => $message ?? $text];
    if ($field !== null) {
        $err['field'] = $field;
    }
    $err['request_id'] = $_SERVER['REQUEST_ID'] ?? '';
    answer($status, ['error' => $err]);
}

// Clean text: valid UTF-8, no control characters (C0, DEL, C1), at most $max code points.
function clean_text(string $s, int $max): bool
{
    return preg_match('/^[^\x00-\x1F\x7F\x{80}-\x{9F}]*$/u', $s) === 1
        && preg_match_all('/./us', $s) <= $max;
}

function orderno_valid(string $s): bool
{
    if (strlen($s) !== 18 || !ctype_digit($s)) {
        return false;
    }
    $interim = 0;
    for ($i = 0; $i < 18; $i++) {
        $interim = DAMM[$interim][ord($s[$i]) - 48];
    }
    return $interim === 0;
}

function stars(int $n): string
{
    return str_repeat('*', $n);
}

function mask_person_name(string $name): string
{
    if ($name === '' || strlen($name) > 1024 || !clean_text($name, PHP_INT_MAX)) {
        return '****';
    }
    preg_match_all('/./us', $name, $m);
    $cp = $m[0];
    $n = count($cp);
    if ($n === 1) {
        return $name;
    }
    if ($n === 2) {
        return $cp[0] . '*';
    }
    return $cp[0] . stars($n - 2) . $cp[$n - 1];
}

function mask_org_name(string $name): string
{
    if ($name === '' || strlen($name) > 1024 || !clean_text($name, PHP_INT_MAX)) {
        return '****';
    }
    preg_match_all('/./us', $name, $m);
    $cp = $m[0];
    $n = count($cp);
    $head = implode('', array_slice($cp, 0, 2));
    if ($n <= 6) {
        return $head . stars($n > 2 ? $n - 2 : 0);
    }
    return $head . '**' . implode('', array_slice($cp, $n - 4));
}

function mask_mobile(string $m): string
{
    return strlen($m) === 11 && ctype_digit($m) ? substr($m, 0, 3) . '****' . substr($m, 7) : '****';
}

// crypto_open of shared/crypto/crypto.c: version byte 1, 12-byte nonce, ciphertext, 16-byte tag;
// the key is HMAC-SHA256(master, "certhall-pii-enc-v1").
function open_sealed(string $sealed, string $aad): ?string
{
    static $key = null;
    if ($key === null) {
        $hex = trim((string)file_get_contents(getenv('CERTHALL_KEY_FILE')));
        $key = hash_hmac('sha256', 'certhall-pii-enc-v1', (string)hex2bin($hex), true);
    }
    if (strlen($sealed) < 29 || $sealed[0] !== "\x01") {
        return null;
    }
    $plain = openssl_decrypt(substr($sealed, 13, -16), 'aes-256-gcm', $key, OPENSSL_RAW_DATA,
        substr($sealed, 1, 12), substr($sealed, -16), $aad);
    return $plain === false ? null : $plain;
}

function db(): PDO
{
    return new PDO(
        'mysql:unix_socket=' . getenv('CERTHALL_DB_SOCKET') . ';dbname=certhall;charset=utf8mb4',
        'certhall',
        trim((string)file_get_contents(getenv('CERTHALL_DB_PASSWORD_FILE'))),
        [
            PDO::ATTR_PERSISTENT => true,
            PDO::ATTR_EMULATE_PREPARES => false,
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            PDO::MYSQL_ATTR_INIT_COMMAND => "SET time_zone = '+08:00'",
        ]
    );
}

// The fixed-window counter of shared/domain/ratelimit.c, one upsert a hit. Returns 0 when allowed,
// else the seconds to the next window.
function over_limit(PDO $db, string $bucket, int $limit, int $window): int
{
    $now = time();
    $win = intdiv($now, $window);
    $st = $db->prepare(SQL_HIT);
    $st->execute([$bucket, $win, $window]);
    $hits = $st->rowCount() === 1 ? 1 : (int)$db->lastInsertId();
    if (random_int(0, 255) === 0) {
        $db->prepare(SQL_PRUNE)->execute([$window, $win - 1]);
    }
    return $hits <= $limit ? 0 : max(1, ($win + 1) * $window - $now);
}

function waybills(PDO $db, int $order_id): array
{
    static $dirs = ['in' => '申请材料寄往发证机构', 'out' => '证书介质寄给申请人'];
    $st = $db->prepare(SQL_WAYBILLS);
    $st->execute([$order_id]);
    $out = [];
    foreach ($st->fetchAll(PDO::FETCH_NUM) as $w) {
        $events = json_decode((string)$w[4], true);
        $out[] = ['direction' => $w[0], 'direction_name' => $dirs[$w[0]] ?? $w[0], 'carrier' => $w[1],
            'number' => $w[2], 'state' => $w[3], 'events' => is_array($events) ? $events : [],
            'refreshed_at' => $w[5], 'refresh_failing' => $w[6] !== 0];
    }
    return $out;
}

function lookup(): void
{
    if (($_SERVER['REQUEST_METHOD'] ?? '') !== 'POST') {
        http_response_code(405);
        header('Allow: POST');
        return;
    }
    if (!preg_match('#^application/json\s*(;|$)#i', $_SERVER['CONTENT_TYPE'] ?? '')) {
        fail('unsupported_media_type');
        return;
    }
    if ((int)($_SERVER['CONTENT_LENGTH'] ?? 0) > 65536) {
        fail('too_large');
        return;
    }
    $body = json_decode((string)file_get_contents('php://input'), true, 32);
    if (!is_array($body) || array_is_list($body) && $body !== []) {
        fail('bad_json');
        return;
    }
    $fields = [
        'order_no' => [18, 'orderno_valid', '订单号为 18 位数字，请核对后重新输入（可在申请短信或“我的订单”中查看）。'],
        'mobile_tail' => [4, fn (string $s): bool => strlen($s) === 4 && ctype_digit($s),
            '请输入经办人手机号码的后 4 位数字。'],
    ];
    $in = [];
    foreach ($fields as $name => [$max, $check, $message]) {
        $v = $body[$name] ?? null;
        if ($v === null || $v === '') {
            fail('missing_field', $name, $message);
            return;
        }
        if (!is_string($v) || !clean_text($v, $max) || !$check($v)) {
            fail('invalid_field', $name, $message);
            return;
        }
        $in[$name] = $v;
    }

    $db = db();
    $after = over_limit($db, 'track:' . substr($_SERVER['REMOTE_ADDR'] ?? '', 0, 64),
        (int)getenv('CERTHALL_RATE_LIMIT'), (int)getenv('CERTHALL_RATE_WINDOW'));
    if ($after > 0) {
        header('Retry-After: ' . $after);
        fail('rate_limited', null, "查询过于频繁，请 {$after} 秒后再试。");
        return;
    }
    $st = $db->prepare(SQL_ORDER);
    $st->execute([$in['order_no']]);
    $rows = $st->fetchAll(PDO::FETCH_NUM);
    $plain = $rows ? open_sealed((string)$rows[0][5], AAD_MOBILE) : null;
    if ($plain === null || strlen($plain) < 4 || !hash_equals(substr($plain, -4), $in['mobile_tail'])) {
        fail('not_found');
        return;
    }
    $o = $rows[0];
    usort($rows, fn (array $a, array $b): int => [$a[8], $a[12]] <=> [$b[8], $b[12]]);
    $timeline = [];
    foreach ($rows as $e) {
        if ($e[9] !== null && $e[8] !== null) {
            $timeline[] = ['at' => $e[8], 'event' => $e[9], 'text' => EVENTS[$e[9]] ?? $e[9],
                'state' => $e[10], 'note' => $e[11]];
        }
    }
    answer(200, [
        'order' => [
            'order_no' => $o[0], 'business_type' => $o[1], 'business_name' => BUSINESS[$o[1]] ?? null,
            'cert_kind' => $o[2], 'cert_kind_name' => KINDS[$o[2]] ?? null, 'state' => $o[3],
            'state_name' => STATES[$o[3]] ?? null, 'channel' => $o[7],
            'subject' => $o[2] === 'person' ? mask_person_name($o[4]) : mask_org_name($o[4]),
            'handler_mobile' => mask_mobile($plain), 'created_at' => $o[6],
        ],
        'timeline' => $timeline,
        'waybills' => $o[14] ? waybills($db, $o[13]) : [],
    ]);
}

try {
    lookup();
} catch (PDOException $e) {
    error_log('lookup: ' . $e->getMessage());
    fail('unavailable');
}
