"""The raw material of the demo street: places, units, names, skills, pledges.

Modelled on the source texts (a street of 39 村居 where nearly 10,000 members registered; units such as the
tax bureau, hospitals, schools, the court, the power supply bureau and bank branches; pledges that read
like the ones members post when they 亮身份、亮承诺). All of it is fictional.
"""

from __future__ import annotations

from dataclasses import dataclass

DISTRICT = ("DH", "东湖区")
STREET = ("HB", "湖滨街道")

#: The 39 communities of the street (the source's 石湾 has 39 村居).
COMMUNITIES = (
    "幸福",
    "丽豪",
    "福华",
    "金澜",
    "依云",
    "泷景",
    "丽银",
    "绿景",
    "环湖",
    "榴苑",
    "红卫",
    "玫瑰",
    "湖景",
    "鸿翔",
    "金苑",
    "东风",
    "朝阳",
    "春晖",
    "桂花",
    "翠竹",
    "柳岸",
    "荷塘",
    "南湖",
    "北苑",
    "滨江",
    "文苑",
    "学府",
    "锦绣",
    "康乐",
    "光明",
    "建设",
    "向阳",
    "花园",
    "长青",
    "梧桐",
    "秀水",
    "清风",
    "和平",
    "新村",
)

GRID_NUMERALS = "一二三四五六七八"

ESTATE_SUFFIXES = ("花园", "名苑", "小区", "新村", "家园", "雅居", "公寓", "华庭")
ESTATES = (
    "常春藤花园",
    "丽日玫瑰名城",
    "金色家园",
    "阳光城",
    "翠湖苑",
    "锦华小区",
    "供电宿舍",
    "税务局宿舍",
    "教师新村",
    "人民医院家属院",
    "怡景湾",
    "颐和雅苑",
    "书香门第",
    "翰林府",
    "滨江壹号",
    "东湖印象",
    "嘉和园",
    "凤凰城",
    "世纪花园",
    "印象城",
)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    #: "district" or "street": where the unit belongs
    level: str
    kind: str
    #: relative number of party members on its roster
    weight: float


UNITS = (
    UnitSpec("DH-SWJ", "东湖区税务局", "district", "tax", 3),
    UnitSpec("DH-RMYY", "东湖区人民医院", "district", "hospital", 6),
    UnitSpec("DH-ZYY", "东湖区中医院", "district", "hospital", 3),
    UnitSpec("DH-FYBJY", "东湖区妇幼保健院", "district", "hospital", 2),
    UnitSpec("SDYZ", "市第一中学", "district", "school", 4),
    UnitSpec("DH-SYXX", "东湖区实验小学", "district", "school", 2),
    UnitSpec("DH-FY", "东湖区人民法院", "district", "court", 2),
    UnitSpec("DH-JCY", "东湖区人民检察院", "district", "procuratorate", 1.5),
    UnitSpec("DH-GAFJ", "东湖公安分局", "district", "police", 4),
    UnitSpec("DH-GDJ", "东湖供电局", "district", "power", 3),
    UnitSpec("GH-DHZH", "工商银行东湖支行", "district", "bank", 2),
    UnitSpec("NH-DHZH", "农业银行东湖支行", "district", "bank", 1.5),
    UnitSpec("JH-HBZH", "建设银行湖滨支行", "street", "bank", 1.5),
    UnitSpec("YD-DH", "中国移动东湖分公司", "district", "telecom", 1.5),
    UnitSpec("YZ-DH", "中国邮政东湖分公司", "district", "telecom", 1),
    UnitSpec("DH-GSGS", "东湖区供水公司", "district", "utility", 1.5),
    UnitSpec("DH-XFJY", "东湖区消防救援大队", "district", "fire", 1),
    UnitSpec("DH-JYJ", "东湖区教育局", "district", "education", 1.5),
    UnitSpec("DH-WJJ", "东湖区卫生健康局", "district", "health", 1.2),
    UnitSpec("DH-MZJ", "东湖区民政局", "district", "civil", 1),
    UnitSpec("DH-RSJ", "东湖区人力资源和社会保障局", "district", "gov", 1.2),
    UnitSpec("DH-CZJ", "东湖区财政局", "district", "gov", 1),
    UnitSpec("DH-SFJ", "东湖区司法局", "district", "justice", 1),
    UnitSpec("DH-SCJGJ", "东湖区市场监督管理局", "district", "gov", 1.5),
    UnitSpec("DH-ZJJ", "东湖区住房和城乡建设局", "district", "gov", 1.2),
    UnitSpec("DH-CGJ", "东湖区城市管理局", "district", "environment", 1.5),
    UnitSpec("DH-STHJ", "东湖生态环境分局", "district", "environment", 1),
    UnitSpec("DH-YJGLJ", "东湖区应急管理局", "district", "fire", 1),
    UnitSpec("DH-TYJR", "东湖区退役军人事务局", "district", "civil", 0.8),
    UnitSpec("DH-WGLT", "东湖区文化广电旅游体育局", "district", "culture", 1),
    UnitSpec("DH-JTJ", "东湖区交通运输局", "district", "gov", 1),
    UnitSpec("DH-TJJ", "东湖区统计局", "district", "gov", 0.6),
    UnitSpec("DH-SJJ", "东湖区审计局", "district", "gov", 0.6),
    UnitSpec("DH-RMT", "东湖区融媒体中心", "district", "media", 0.8),
    UnitSpec("DH-QWB", "中共东湖区委办公室", "district", "gov", 0.8),
    UnitSpec("DH-ZFB", "东湖区人民政府办公室", "district", "gov", 0.8),
    UnitSpec("HB-JDB", "湖滨街道办事处", "street", "gov", 1.5),
    UnitSpec("HB-WSFW", "湖滨街道社区卫生服务中心", "street", "hospital", 1),
    UnitSpec("HB-PCS", "湖滨派出所", "street", "police", 1),
    UnitSpec("HB-ZXXY", "湖滨中心小学", "street", "school", 1.5),
    UnitSpec("HB-SCJGS", "湖滨市场监管所", "street", "gov", 0.5),
)

_GOV_BRANCHES = ("机关第一党支部", "机关第二党支部", "机关第三党支部")
BRANCHES: dict[str, tuple[str, ...]] = {
    "tax": ("征收管理股党支部", "纳税服务股党支部", "稽查局党支部", "机关党支部"),
    "hospital": ("内科党支部", "外科党支部", "医技党支部", "护理党支部", "行政后勤党支部"),
    "school": ("教师第一党支部", "教师第二党支部", "行政后勤党支部"),
    "court": ("审判业务第一党支部", "审判业务第二党支部", "执行局党支部", "机关党支部"),
    "procuratorate": ("检察业务党支部", "综合业务党支部"),
    "police": ("治安大队党支部", "刑侦大队党支部", "交警大队党支部", "机关党支部"),
    "power": ("运维检修党支部", "营销服务党支部", "机关党支部"),
    "bank": ("营业部党支部", "个人金融党支部", "公司业务党支部"),
    "telecom": ("营业服务党支部", "网络运维党支部", "综合党支部"),
    "utility": ("供水运营党支部", "管网维修党支部", "综合党支部"),
    "fire": ("消防救援站党支部", "机关党支部"),
    "media": ("新闻采编党支部", "综合党支部"),
}


def branches_for(kind: str) -> tuple[str, ...]:
    return BRANCHES.get(kind, _GOV_BRANCHES)


#: Skills a unit's members are more likely to bring (codes of baodao.members.models.Skill).
KIND_SKILLS: dict[str, tuple[str, ...]] = {
    "tax": ("governance", "it", "organisation"),
    "hospital": ("health", "health", "counselling"),
    "school": ("tutoring", "tutoring", "culture"),
    "court": ("legal", "legal", "counselling"),
    "procuratorate": ("legal", "legal"),
    "justice": ("legal", "counselling"),
    "police": ("patrol", "patrol", "legal"),
    "power": ("repair", "repair", "patrol"),
    "bank": ("it", "other", "assistance"),
    "telecom": ("it", "it", "repair"),
    "utility": ("repair", "environment"),
    "fire": ("patrol", "health"),
    "education": ("tutoring", "organisation"),
    "health": ("health", "assistance"),
    "civil": ("assistance", "assistance", "governance"),
    "environment": ("environment", "environment", "governance"),
    "culture": ("culture", "culture", "organisation"),
    "media": ("culture", "it"),
    "gov": ("organisation", "governance", "environment"),
}
ALL_SKILLS = (
    "organisation",
    "legal",
    "assistance",
    "governance",
    "health",
    "culture",
    "patrol",
    "tutoring",
    "environment",
    "counselling",
    "repair",
    "it",
    "other",
)

TAGS: dict[str, tuple[str, ...]] = {
    "organisation": ("党课宣讲", "支部建设", "宣传报道", "楼栋党小组"),
    "legal": ("律师资格", "法律援助", "人民调解", "合同审查", "民法典宣讲"),
    "assistance": ("助老陪护", "残疾人帮扶", "手语", "困难家庭结对"),
    "governance": ("业委会工作", "物业协调", "议事协商", "加装电梯协调"),
    "health": ("执业医师", "护士", "急救证", "中医推拿", "慢病管理"),
    "culture": ("摄影", "广场舞", "太极拳", "合唱", "书法", "乒乓球"),
    "patrol": ("退役军人", "夜间巡逻", "消防知识", "交通疏导"),
    "tutoring": ("初中数学", "英语辅导", "作文辅导", "四点半课堂", "学业规划"),
    "environment": ("垃圾分类", "绿化养护", "病媒防治", "积水清理"),
    "counselling": ("心理咨询师", "青少年心理", "婚姻家庭调解"),
    "repair": ("电工证", "水管维修", "家电维修", "电脑维修", "自行车维修"),
    "it": ("智能手机教学", "网络安全", "编程", "数据统计", "反诈宣传"),
    "other": ("驾驶", "会计", "理财知识", "烹饪", "外语"),
}

PLEDGES: dict[str, tuple[str, ...]] = {
    "organisation": (
        "协助社区党委开展主题党日活动，每年讲好一堂微党课。",
        "担任楼栋党小组联络人，及时收集居民诉求并反馈社区。",
        "带动身边党员参与社区服务，以一户带动一片。",
    ),
    "legal": (
        "每季度为居民开展一次免费法律咨询，帮助化解邻里纠纷。",
        "参与社区人民调解，努力做到小事不出网格。",
        "为困难群众提供法律援助咨询，宣讲民法典中与居民生活相关的条款。",
    ),
    "assistance": (
        "结对帮扶一户困难家庭，定期上门走访慰问。",
        "为独居老人代购生活物资，每周至少电话联系一次。",
        "陪同行动不便的残疾人就医办事。",
    ),
    "governance": (
        "积极参与物业管理和协商议事活动，认真履行业主职责。",
        "参与小区加装电梯协调工作，耐心倾听邻里意见。",
        "协助社区做好出租屋人口登记和无物业楼宇管理。",
    ),
    "health": (
        "每月为小区老人免费测量一次血压、血糖，普及慢病防治知识。",
        "参加社区“二·八”便民服务日义诊，提供健康咨询。",
        "发挥医务工作者专长，随时响应社区突发急救需求。",
    ),
    "culture": (
        "组织小区文体活动，每季度参与一次邻里节演出。",
        "教老年居民练习太极拳，丰富居民文化生活。",
        "为社区活动义务摄影，制作宣传展板。",
    ),
    "patrol": (
        "每月参加两次夜间治安巡逻，守护小区平安。",
        "参与开学护畅行动，早晚高峰在校门口疏导交通。",
        "战时就地参加应急任务，服从社区统一调度。",
    ),
    "tutoring": (
        "寒暑假到社区“四点半课堂”为双职工家庭孩子辅导作业。",
        "每月开展一次亲子阅读活动。",
        "为社区青少年开展学业规划和心理健康讲座。",
    ),
    "environment": (
        "参与清理小区楼顶、花坛积水，预防登革热。",
        "带头做好垃圾分类，每月参加一次环境整治。",
        "整理人行道上乱停放的共享单车，保持道路畅通。",
    ),
    "counselling": (
        "为有需要的居民提供心理疏导，倾听烦心事。",
        "参与社区婚姻家庭矛盾调解，促进家庭和睦。",
    ),
    "repair": (
        "每月为孤寡老人义务检修一次水电和家电。",
        "参与无物业管理楼宇的公共设施维修。",
        "利用专业技能排查小区用电安全隐患。",
    ),
    "it": (
        "教老年人使用智能手机，帮助他们跨越“数字鸿沟”。",
        "帮助社区维护居民信息台账和公众号。",
        "每季度至少开展一次防范电信网络诈骗宣传。",
    ),
    "other": (
        "八小时之外无私奉献在社区，社区有需要随叫随到。",
        "认领社区“微心愿”，每年帮助至少两户居民圆梦。",
    ),
}
PLEDGE_ENDINGS = (
    "",
    "",
    "每季度至少参加1次志愿服务。",
    "亮身份、亮承诺，接受社区和群众监督。",
    "平时服务、急时应急、战时应战。",
    "工作在单位、服务在社区、奉献双岗位。",
)

COMMITMENTS: dict[str, str] = {
    "hospital": "每月组织医务人员进社区义诊一次；为社区65岁以上老人建立健康档案",
    "school": "寒暑假向社区青少年开放操场和图书室；派教师支持“四点半课堂”",
    "court": "每季度进社区开展一次法治讲座；设立巡回审判联系点",
    "procuratorate": "每季度进社区开展一次普法宣传",
    "justice": "派驻社区法律顾问，每月坐班半天",
    "police": "社区民警与网格员联合巡逻；每季度开展一次防诈宣传",
    "power": "每半年排查一次老旧小区用电安全隐患；开通抢修绿色通道",
    "bank": "每季度开展一次金融知识和防范电信诈骗宣传；为老年人提供上门服务",
    "telecom": "开设智能手机课堂；为困难家庭减免宽带费用",
    "utility": "定期检修老旧小区供水管网；停水提前通知到楼栋",
    "fire": "每半年开展一次消防演练；为高层住宅检查消防通道",
    "tax": "每季度进社区开展一次个税和社保政策辅导",
    "culture": "每年送戏、送电影进社区各两次",
}
COMMITMENT_COMMON = (
    "单位在职党员全部到居住地社区报到",
    "认领社区“微心愿”不少于10个",
    "结对帮扶困难家庭3户",
    "战时派出党员突击队支援社区应急",
)

REJECT_REASONS = (
    "居住地址不在本社区辖区，请向实际居住地社区申请。",
    "所填楼栋信息有误，请更正后重新申请。",
    "经网格员核实非本社区常住人员。",
)
MOVED_AWAY_REASON = "居住地迁出湖滨街道，报到关系转出。"

SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈陈杨杨黄黄赵赵吴吴周周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲丹萍鹏辉建宇红梅琳婷雪斌波林浩凯峰龙晨颖欣佳俊宁"
    "鑫帅淑晓文志海春燕慧凤兰东亮成飞玉云国荣庆永子思雨嘉睿博诗琪一梓涵怡泽航轩晶倩蕾虹松健卫德新立爱"
)

#: 行政区划代码 prefixes for generated ID numbers (the first six digits of a 居民身份证号码).
ID_AREAS = ("360102", "360103", "360104", "360111", "360121", "362502", "360302", "430102", "440604")

# ---- needs (三单制) -------------------------------------------------------------------------------------

#: The demo community's ledger: (outcome, kind, category, title, description, days ago).
#: Outcomes: submitted (waiting to be vetted), late (vetting overdue, escalated), published, claimed,
#: claimed_late (resolution overdue, escalated), completed (waiting for the demo resident's confirmation),
#: behalf (taken down by the grid worker, reported done), task_done (the community's task reported done),
#: disputed, closed, closed_late, unit_closed, terminated (the community ended it without the resident's
#: confirmation, with a reason), declined, merged.
DEMO_NEEDS = (
    (
        "closed",
        "wish",
        "repair",
        "修理卫生间漏水的水龙头",
        "独居老人，卫生间水龙头一直滴水，自己换不了。",
        58,
    ),
    (
        "closed",
        "service",
        "elevator",
        "老旧楼宇加装电梯协调",
        "3栋居民想加装电梯，需要懂政策的党员帮助协调低层住户意见。",
        55,
    ),
    ("closed", "request", "environment", "楼道堆放杂物清理", "2单元楼道堆满纸箱，存在消防隐患。", 50),
    (
        "closed_late",
        "wish",
        "education",
        "孩子数学课业辅导",
        "孩子读初二，父母上夜班，希望有人每周辅导一次数学。",
        46,
    ),
    (
        "unit_closed",
        "task",
        "environment",
        "小区环境卫生大扫除",
        "周六上午集中清理绿化带垃圾和卫生死角，自带手套。",
        44,
    ),
    (
        "closed",
        "wish",
        "elderly",
        "陪老人到医院复诊",
        "老人行动不便，子女在外地，需要有人陪同去区人民医院复诊。",
        40,
    ),
    ("declined", "request", "property", "要求更换小区物业公司", "物业服务差，要求社区出面更换物业。", 38),
    ("closed", "request", "safety", "小区路灯不亮", "北门到5栋之间的路灯坏了一周，晚上很黑。", 35),
    ("closed", "wish", "hardship", "困难家庭孩子的新书包", "低保家庭，孩子开学需要一个书包和文具。", 32),
    ("closed_late", "request", "repair", "单元门禁损坏", "6栋1单元门禁坏了，陌生人随意进出。", 30),
    ("closed", "task", "policy", "反诈宣传进楼栋", "分楼栋向老年人讲解常见电信诈骗手法，发放宣传册。", 27),
    ("closed", "wish", "culture", "教老人用智能手机挂号", "想学会用手机挂号、看健康码。", 24),
    ("closed", "service", "rental", "出租屋人口信息登记", "协助网格员入户登记出租屋流动人口信息。", 21),
    ("declined", "wish", "other", "帮忙代缴电费", "每月帮忙去营业厅缴电费。", 19),
    (
        "terminated",
        "wish",
        "education",
        "周末陪孩子练英语口语",
        "孩子上初一，想找人每周陪练一次英语口语。",
        17,
    ),
    ("closed", "wish", "health", "为卧床老人上门量血压", "老伴卧床，每周需要测一次血压。", 16),
    ("disputed", "wish", "repair", "修理老人家的轮椅", "轮椅刹车失灵，希望有懂维修的党员帮忙。", 14),
    ("task_done", "task", "culture", "重阳节敬老文艺汇演志愿服务", "负责场地布置、引导和照顾老人。", 13),
    (
        "behalf",
        "wish",
        "elderly",
        "帮独居老人买药",
        "老人不会用智能手机，由网格员代为登记：每月到药店买降压药。",
        5.5,
    ),
    ("claimed_late", "request", "dispute", "楼上噪音扰民调解", "楼上住户深夜经常有噪音，协商不成。", 11),
    ("completed", "wish", "repair", "更换厨房灯泡", "厨房吸顶灯坏了，够不着。", 5),
    ("disputed", "request", "environment", "垃圾清运不及时", "3号垃圾站经常两天才清运一次，气味很大。", 9),
    ("completed", "wish", "elderly", "帮忙设置手机视频通话", "想和外地的孙子视频，不会设置。", 4.5),
    ("task_done", "task", "environment", "垃圾分类桶边督导", "早晚高峰在垃圾分类投放点引导居民分类投放。", 8),
    ("claimed", "wish", "education", "小学生周末作文辅导", "孩子三年级，作文写不好，希望周末有人辅导。", 4.5),
    ("completed", "request", "repair", "楼道扶手松动", "4栋2单元楼梯扶手松了，老人上下楼危险。", 4),
    (
        "claimed",
        "service",
        "legal",
        "法律咨询进社区",
        "每月第一个周六上午，在党群服务中心为居民提供免费法律咨询。",
        6,
    ),
    ("claimed", "wish", "elderly", "周末陪独居老人聊天", "老人独居，周末希望有人上门陪着说说话。", 5),
    (
        "published",
        "service",
        "property",
        "无物业楼宇服务",
        "7栋、8栋没有物业，需要党员轮流帮助清扫和报修。",
        5,
    ),
    ("published", "task", "safety", "防汛物资搬运", "汛期前将沙袋、抽水泵搬运到低洼楼栋。", 4),
    ("published", "wish", "health", "帮忙预约社区体检", "想参加社区老年人免费体检，不会预约。", 4),
    ("published", "request", "repair", "小区健身器材损坏", "中心花园的扭腰器坏了，容易伤人。", 3),
    ("published", "task", "culture", "社区读书角图书整理", "整理捐赠图书并登记上架。", 3),
    ("merged", "request", "repair", "花园扭腰器转不动了", "中心花园的扭腰器坏了，小孩在上面玩很危险。", 2.8),
    ("claimed", "request", "environment", "绿化带积水蚊虫多", "下雨后绿化带长期积水，蚊子很多。", 3),
    ("late", "request", "safety", "电动车在楼道充电", "5栋1单元有人把电动车推进楼道充电，太危险了。", 3),
    (
        "late",
        "wish",
        "hardship",
        "为残疾人家庭申请临时救助",
        "家里有残疾人，最近生活困难，不知道怎么申请救助。",
        2.5,
    ),
    ("late", "request", "property", "地下车库漏水", "地下车库B区顶上一直滴水。", 2),
    ("submitted", "wish", "education", "希望有人教孩子书法", "孩子喜欢写毛笔字，想找懂书法的党员指导。", 0.6),
    ("submitted", "request", "environment", "小区门口共享单车乱停", "小区门口共享单车堵住了盲道。", 0.3),
    ("submitted", "wish", "elderly", "行动不便老人理发", "老人行动不便，希望有人能上门理发。", 0.1),
)
#: The open request the merged duplicate joins.
DEMO_MERGE_INTO = "小区健身器材损坏"
DEMO_TERMINATE_REASONS = {
    "周末陪孩子练英语口语": "居民一家已搬离本社区，电话联系后确认不再需要，社区终止办理。",
}
DEMO_DECLINE_REASONS = {
    "要求更换小区物业公司": "更换物业须由业主大会决定，社区将指导业主委员会依法召开业主大会。",
    "帮忙代缴电费": "可通过手机银行或社区自助缴费机缴纳，网格员已上门教会老人使用。",
}
#: (rating, comment) of the confirmed ones, in order of use.
DEMO_RATINGS = (
    (5, "党员同志很热心，半小时就修好了，谢谢！"),
    (5, "协调了好几次，终于达成一致，辛苦了。"),
    (4, "清理得很干净。"),
    (4, "辅导很耐心，就是开始晚了几天。"),
    (5, ""),
    (5, "全程陪同，比自己家里人还细心。"),
    (5, "路灯亮了，晚上散步放心了。"),
    (5, "孩子很喜欢新书包。"),
    (3, "修好了，但等了比较久。"),
    (5, "讲得通俗易懂，老人都听明白了。"),
    (5, "现在自己会挂号了！"),
    (4, ""),
    (5, "每周都按时来，非常感谢。"),
)
DEMO_COMPLETION_NOTES = (
    "已上门处理完毕，居民当场检查确认。",
    "已按约定时间完成，拍照留存。",
    "已办结，后续如有问题可再联系。",
)
DEMO_CONTACT = {"contact_name": "陈阿婆", "contact_phone": "13512345678", "address": "1栋1单元102"}
DEMO_DISPUTES = {
    "修理老人家的轮椅": "刹车还是不灵，没有修好。",
    "垃圾清运不及时": "只清运了一次，之后还是两天一次。",
}

#: Residents' needs in the street's other communities, for the street's statistics.
STREET_NEEDS = (
    ("wish", "repair", "修理漏水的水管"),
    ("request", "environment", "楼道小广告清理"),
    ("wish", "elderly", "陪老人散步"),
    ("request", "safety", "单元门锁坏了"),
    ("wish", "education", "周末英语辅导"),
    ("request", "repair", "小区路面坑洼"),
    ("wish", "health", "上门测血糖"),
    ("request", "dispute", "邻居占用公共过道"),
)
#: Where the community's own service and task items take place.
DEMO_LOCATIONS = (
    "社区党群服务中心",
    "中心花园",
    "社区居委会二楼会议室",
    "各楼栋单元门口",
    "社区新时代文明实践站",
)
